// The channel tab's configuration page: which team's dashboard the channel shows. Teams saves the
// content URL; what each viewer sees is still decided by the service from their own sign-in.
"use strict";
(async () => {
  const status = document.getElementById("status");
  const select = document.getElementById("team");
  const teams = window.microsoftTeams;
  try {
    await teams.app.initialize();
    const context = await teams.app.getContext();
    document.documentElement.dataset.theme = context.app.theme || "default";
    const token = await teams.authentication.getAuthToken();
    const res = await fetch("/tab/api/me", { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(res.status === 401 ? "Assure could not sign you in." : "Assure is not available.");
    const me = await res.json();
    const all = document.createElement("option");
    all.value = "";
    all.textContent = me.scope || "All my teams";
    select.append(all);
    for (const t of me.teams) {
      const o = document.createElement("option");
      o.value = t.id;
      o.textContent = t.name;
      select.append(o);
    }
    select.hidden = false;
    document.getElementById("team-label").hidden = false;
    status.textContent = me.dashboard
      ? "Choose the team, then Save."
      : "Your role has no dashboard; the tab will show what waits on each person.";
    teams.pages.config.registerOnSaveHandler((save) => {
      const q = new URLSearchParams({ view: "dashboard" });
      if (select.value) q.set("team", select.value);
      teams.pages.config
        .setConfig({
          entityId: `assure-dashboard-${select.value || "all"}`,
          contentUrl: `${location.origin}/tab?${q}`,
          suggestedDisplayName: "Assure dashboard",
        })
        .then(
          () => save.notifySuccess(),
          (e) => save.notifyFailure(String(e)),
        );
    });
    teams.pages.config.setValidityState(true);
  } catch (e) {
    status.textContent = e instanceof Error ? e.message : "Open this page from Microsoft Teams.";
  }
})();

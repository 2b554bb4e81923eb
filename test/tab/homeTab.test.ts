// The Home tab in headless Chromium, framed as Teams frames it: the page signs in with a Teams SSO
// token (a stand-in for the Teams SDK gives the page a token signed by a local key that a local
// OpenID endpoint publishes), shows a practitioner what waits on them after the QA team allocates
// the month (allocated by a real, authenticated activity to /api/messages), and gives the QA team
// the dashboard: filtered by team, followed from a figure to the audits behind it (case references
// only); a team manager pins their team's dashboard in a channel. Screenshots of each view in Teams' light, dark and high-contrast themes: build/tab/*.png.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium } from "../support/chromium";
import type { Harness, StaffRef } from "../support/harness";
import { DEFAULT_TENANT_ID, invokeActionExecute, postToBot } from "../fakes/activities";
import { botAuthEnv, startLocalIssuer, startSecureHarness, type LocalIssuer } from "../security/support";
import { seedReportFixture } from "../support/reportFixture";
import { hasDashboard } from "../../services/home/scope";
import { RARE_QUESTION, SKEWED_QUESTION, seedTabExtras } from "./tabData";

const OUT = path.resolve("build/tab");
const STEP_MS = 15_000;
const APP_ID = "6f1c2d3e-0000-4000-8000-a55e0000b072";
const APP_ID_URI = `api://assure.test/${APP_ID}`;
const THEMES = ["default", "dark", "contrast"] as const;
type Theme = (typeof THEMES)[number];

let issuer: LocalIssuer;
let h: Harness;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];
/** What the stand-in Teams SDK gives the page: the signed-in person's token and the theme. */
const teams = { token: "", theme: "default" as Theme };

/** The Teams JavaScript SDK as the tab sees it inside Teams: initialised, a context, a token. */
const sdkShim = () => `
window.microsoftTeams = {
  app: {
    initialize: async () => {},
    getContext: async () => ({ app: { theme: ${JSON.stringify(teams.theme)}, host: { clientType: "web" } }, page: { frameContext: "content" } }),
    registerOnThemeChangeHandler: () => {},
    openLink: async (url) => { window.top.openedLink = url; },
  },
  authentication: { getAuthToken: async () => ${JSON.stringify(teams.token)} },
  pages: {
    config: {
      registerOnSaveHandler: (handler) => { window.top.saveTab = handler; },
      setValidityState: (valid) => { window.top.tabValid = valid; },
      setConfig: async (config) => { window.top.savedTab = config; },
    },
  },
};`;

const tokenFor = (s: StaffRef) =>
  issuer.sign({
    aud: APP_ID_URI,
    iss: `https://login.microsoftonline.test/${DEFAULT_TENANT_ID}/v2.0`,
    tid: DEFAULT_TENANT_ID,
    oid: s.aadObjectId,
    name: s.name,
  });

/** Opens the tab in a frame, as Teams does, signed in as `s`; returns the tab's frame. */
async function openTab(s: StaffRef, opts: { theme?: Theme; width?: number; height?: number; query?: string } = {}): Promise<Frame> {
  teams.token = await tokenFor(s);
  teams.theme = opts.theme ?? "default";
  await page.setViewportSize({ width: opts.width ?? 1100, height: opts.height ?? 900 });
  await page.goto(`${h.service.url}/teams-host?tab=${encodeURIComponent(`/tab${opts.query ?? ""}`)}`);
  const frame = page.frame({ name: "tab" })!;
  await frame.locator("#status").waitFor({ state: "hidden", timeout: STEP_MS });
  return frame;
}

const shot = (name: string) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  issuer = await startLocalIssuer();
  h = await startSecureHarness({
    env: (connectorUrl) => ({
      ALLOWED_TENANT_IDS: DEFAULT_TENANT_ID,
      ...botAuthEnv(APP_ID, connectorUrl, issuer),
      TAB_SSO_APP_ID_URI: APP_ID_URI,
      TAB_SSO_OPENID_METADATA_URL: issuer.metadataUrl,
      TAB_SSO_ISSUERS: "https://login.microsoftonline.test/{tenantid}/v2.0",
    }),
  });
  // Last month's audits, for the dashboard (the default month is the last complete one).
  await seedReportFixture(h.db, { month: "2026-11" });
  await seedTabExtras(h.db, "2026-11");
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on("console", (m) => {
    if (m.type() === "warning" || m.type() === "error") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  // Teams' frame around the tab, and its SDK (the real SDK needs a Teams host to talk to).
  await page.route("**/teams-host?*", (route) => {
    const tab = new URL(route.request().url()).searchParams.get("tab") ?? "/tab";
    return route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html><body style="margin:0"><iframe name="tab" title="Assure" src="${tab}" style="border:0;width:100vw;height:100vh"></iframe></body></html>`,
    });
  });
  await page.route("**/tab/vendor/teams.js", (route) => route.fulfill({ contentType: "application/javascript", body: sdkShim() }));
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await h?.close();
  await issuer?.close();
});

// Each check drives a browser through several page loads: bounded per check, above vitest's default.
const BROWSER_CHECK_MS = 180_000;

describe("the Home tab in Teams", () => {
  let practitioner: StaffRef;
  let caseRef: string;

  it(
    "shows a practitioner the self-assessment that waits on them after the QA team allocates the month",
    async () => {
      const qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
      const activity = invokeActionExecute({
        from: h.from(qa),
        serviceUrl: h.connector.url,
        verb: "audit.allocate.run",
        data: { month: "2026-12", target: "12", seed: "tab" },
      });
      const res = await postToBot(h.endpoint, activity, {
        Authorization: `Bearer ${await issuer.sign({ aud: APP_ID, serviceurl: h.connector.url })}`,
      });
      expect(res.status).toBe(200);
      const audit = await h.db.audit.findFirstOrThrow({
        where: { cycle: { month: "2026-12" } },
        include: { case: true },
        orderBy: { case: { caseRef: "asc" } },
      });
      practitioner = (await h.db.staff.findUniqueOrThrow({ where: { id: audit.practitionerId } })) as StaffRef;
      caseRef = audit.case.caseRef;
      console.log(`home tab: practitioner roles ${practitioner.roles.join(",")}`);

      const tab = await openTab(practitioner);
      const item = tab.locator(`#waiting-items li[data-kind="selfAssessment"]`, { hasText: caseRef });
      await expect.poll(() => item.count()).toBe(1);
      expect(await item.innerText()).toMatch(/Answer your self-assessment/);
      // The link opens the chat with the bot, with the command that shows the same card.
      const link = await item.getByRole("link", { name: "Open in chat" }).getAttribute("href");
      expect(link).toBe(`https://teams.microsoft.com/l/chat/0/0?users=28%3A${APP_ID}&message=self+assessment`);
      await item.getByRole("link", { name: "Open in chat" }).click();
      expect(await page.evaluate(() => (globalThis as unknown as { openedLink?: string }).openedLink)).toBe(link);
      // Only roles with a dashboard see the views' tabs.
      expect(await tab.locator("#views").isHidden()).toBe(!hasDashboard(practitioner));
      for (const theme of THEMES) {
        await openTab(practitioner, { theme, width: 420 });
        await shot(`waiting-${theme}`);
      }
    },
    BROWSER_CHECK_MS,
  );

  it(
    "shows the auditor the allocation to accept, with its due date",
    async () => {
      const audit = await h.db.audit.findFirstOrThrow({ where: { cycle: { month: "2026-12" }, case: { caseRef } } });
      const auditor = (await h.db.staff.findUniqueOrThrow({ where: { id: audit.auditorId } })) as StaffRef;
      const tab = await openTab(auditor);
      const item = tab.locator(`#waiting-items li[data-kind="allocation"]`, { hasText: caseRef });
      await expect.poll(() => item.count()).toBe(1);
      expect(await item.innerText()).toMatch(/Due \d+ \w{3} 2026/);
    },
    BROWSER_CHECK_MS,
  );

  it(
    "gives the QA team the month at a glance, filtered by team, and the audits behind a figure",
    async () => {
      const qa = (await h.staffWithRole("HEAD_OF_QA"))[0]!;
      const tab = await openTab(qa, { height: 2600 });
      // The keyboard moves between the views (tabs with arrow keys).
      await tab.locator("#tab-waiting").focus();
      await tab.locator("#tab-waiting").press("ArrowRight");
      await tab.locator("#glance-title").waitFor();
      expect(await tab.locator("#glance-title").innerText()).toMatch(/November 2026 at a glance — All teams/);
      expect(await tab.locator("canvas").count()).toBeGreaterThanOrEqual(6);

      await tab.locator("#f-team").selectOption("CIN");
      await tab.getByRole("button", { name: "Show", exact: true }).click();
      await expect.poll(() => tab.locator("#glance-title").innerText()).toMatch(/at a glance — Children in Need|at a glance — CIN/);
      const returned = Number(await tab.locator('[data-figure="returned"] .n').innerText());
      const expected = await h.db.audit.count({
        where: { cycle: { month: "2026-11" }, teamId: "CIN", submittedAt: { not: null }, status: { in: ["submitted", "finalised"] } },
      });
      expect(returned).toBe(expected);
      expect(returned).toBeGreaterThan(0);

      await tab.locator('[data-figure="returned"]').click();
      await tab.locator("#drill-title").waitFor();
      expect(await tab.locator("#drill-title").innerText()).toBe(`Audits returned: ${returned} ${returned === 1 ? "audit" : "audits"}`);
      const rows = await tab.locator("#drill-table tbody tr").allInnerTexts();
      expect(rows).toHaveLength(returned);
      for (const r of rows) expect(r).toMatch(/\tChildren in Need\t/);
      // Case references only: no person's name in the list.
      const names = (await h.db.staff.findMany({ select: { name: true } })).map((s) => s.name);
      const text = await tab.locator("#drill").innerText();
      for (const n of names) expect(text).not.toContain(n);
      // The drill-down takes focus, for keyboard and screen-reader users.
      expect(
        await tab.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id),
      ).toBe("drill-title");

      for (const theme of THEMES) {
        const t = await openTab(qa, { theme, height: 3000, query: "?view=dashboard" });
        await shot(`dashboard-${theme}`);
        await t.locator('[data-figure="returned"]').click();
        await t.locator("#drill-title").waitFor();
        await t.locator("#drill-title").scrollIntoViewIfNeeded();
        await shot(`drill-${theme}`);
      }
      await openTab(qa, { width: 400, height: 2600, query: "?view=dashboard" });
      await shot("dashboard-narrow");
    },
    BROWSER_CHECK_MS,
  );

  it(
    "lets a team manager pin their team's dashboard in a channel (the configurable tab)",
    async () => {
      const tm = await h.one("TEAM_MANAGER", "CIN");
      teams.token = await tokenFor(tm);
      await page.goto(`${h.service.url}/teams-host?tab=${encodeURIComponent("/tab/config")}`);
      const frame = page.frame({ name: "tab" })!;
      await frame.locator("#team").waitFor({ state: "visible" });
      expect(await frame.locator("#team option").allInnerTexts()).toContain("Children in Need");
      await frame.locator("#team").selectOption("CIN");
      type Top = { tabValid?: boolean; savedTab?: { contentUrl: string }; saveTab?: (s: unknown) => void; saved?: boolean };
      expect(await page.evaluate(() => (globalThis as unknown as Top).tabValid)).toBe(true);
      await page.evaluate(() => {
        const top = globalThis as unknown as Top;
        top.saveTab!({ notifySuccess: () => (top.saved = true), notifyFailure: () => (top.saved = false) });
      });
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as Top).saved)).toBe(true);
      const saved = await page.evaluate(() => (globalThis as unknown as Top).savedTab!);
      expect(saved.contentUrl).toBe(`${h.service.url}/tab?view=dashboard&team=CIN`);
      // The pinned tab opens on that team's dashboard.
      const tab = await openTab(tm, { query: "?view=dashboard&team=CIN", height: 2600 });
      expect(await tab.locator("#glance-title").innerText()).toMatch(/at a glance — Children in Need/);
      await shot("channel-dashboard-default");
    },
    BROWSER_CHECK_MS,
  );

  it(
    "shows each role's dashboard with names and the questions' words, never ids, and no figure from fewer than the minimum",
    async () => {
      const qa = (await h.staffWithRole("HEAD_OF_QA"))[0]!;
      const hos = (await h.staffWithRole("HEAD_OF_SERVICE")).find((s) => s.name === "Rosa Dawson")!;
      const views: [string, StaffRef][] = [
        ["qa", qa],
        ["head-of-service", hos],
        ["team-manager-cin", await h.one("TEAM_MANAGER", "CIN")],
        ["team-manager-lc", await h.one("TEAM_MANAGER", "LC")],
        ["team-manager-ai2", await h.one("TEAM_MANAGER", "AI2")],
      ];
      const text: Record<string, string> = {};
      const teamChosen: Record<string, string> = {};
      const waitingText: Record<string, string> = {};
      for (const [name, who] of views) {
        // What waits on them first (the tab opens there), then the dashboard.
        const waiting = await openTab(who, { height: 1400 });
        await waiting.locator("#waiting h2").waitFor();
        waitingText[name] = await waiting.locator("body").innerText();
        expect(waitingText[name], name).not.toMatch(/undefined|null|NaN|\[object/);
        await shot(`role-${name}-waiting`);
        const tab = await openTab(who, { height: 3800, query: "?view=dashboard" });
        await tab.locator("#glance-title").waitFor();
        // Open every table, so the check reads what a screen reader or a keyboard user gets.
        for (const d of await tab.locator("#board details").all()) await d.evaluate((e) => e.setAttribute("open", ""));
        text[name] = await tab.locator("body").innerText();
        teamChosen[name] = await tab
          .locator("#f-team")
          .evaluate((s: { selectedOptions: { text: string }[] }) => s.selectedOptions[0]?.text ?? "");
        await shot(`role-${name}`);
        expect(text[name], name).not.toMatch(/undefined|null|NaN|\[object/);
        // Question ids (lower-case words joined by hyphens) never reach the page.
        expect(text[name], name).not.toMatch(/\b(confidence|culture|role)-[a-z]+(-[a-z]+)*\b/);
      }
      // The QA team: both Health Check sections, each question in its own words; the one question
      // too few answered is counted, not shown; supervision by team name, with what was held.
      expect(text.qa).toMatch(/Mapping with Family \(parent\/carer experience\)/);
      expect(text.qa).toMatch(/I feel able to challenge a decision about a child when I disagree with it/);
      expect(text.qa).toMatch(/Social Work Health Check, autumn 2026: 33 responses\. 1 question with too few answers not shown\./);
      expect(text.qa).not.toMatch(/enough time to supervise my team/);
      expect(text.qa).toMatch(/\d+ of \d+ sessions due in November 2026 held/);
      expect(text.qa).toMatch(/Child Protection\t2\t1\t0\t67%/);
      // A head of service: the teams under them (through their service manager), not an empty "Directorate".
      expect(text["head-of-service"]).toMatch(/November 2026 at a glance — Your service \(4 teams\)/);
      expect(text["head-of-service"]).toMatch(/Mapping with Family/);
      // A team manager: their own team; a team too small for the group rule gets no Health Check figure.
      expect(text["team-manager-cin"]).toMatch(
        /Social Work Health Check, autumn 2026: 8 responses\. 2 questions with too few answers not shown\./,
      );
      // A question most of whose answers are CIN's is shown for every team, never for CIN alone
      // (the two views would differ by one person's answer).
      expect(text.qa).toMatch(/I feel supported by senior managers when I make decisions about risk/);
      expect(text["team-manager-cin"]).not.toMatch(/I feel supported by senior managers when I make decisions about risk/);
      expect(text["team-manager-lc"]).toMatch(/not shown for this view — too few people answered/);
      expect(text["team-manager-lc"]).not.toMatch(/Mapping with Family/);
      // A supervisor is told who the session is with.
      const session = await h.db.supervisionSession.findFirstOrThrow({ where: { teamId: "CIN", status: "scheduled" } });
      const supervisee = await h.db.staff.findUniqueOrThrow({ where: { id: session.superviseeId! } });
      expect(waitingText["team-manager-cin"]).toContain(`Individual supervision with ${supervisee.name}`);
      // No supervision recorded for the team: said in words, not an empty chart.
      expect(text["team-manager-ai2"]).toMatch(/No supervision records yet for these teams\./);
      // Nothing to draw is said in words; a one-team scope shows that team in the team filter.
      expect(text["team-manager-ai2"]).toMatch(/No open escalations\./);
      expect(teamChosen).toMatchObject({ qa: "All teams", "head-of-service": "All teams", "team-manager-cin": "Children in Need" });
      // The API behind it: no question figure from fewer than the minimum, for anyone.
      for (const [name, who] of views) {
        const res = await fetch(`${h.service.url}/tab/api/dashboard`, { headers: { Authorization: `Bearer ${await tokenFor(who)}` } });
        const d = (await res.json()) as { healthCheck: { sections: { questions: { id: string; n: number }[] }[] } | null };
        const qs = d.healthCheck?.sections.flatMap((s) => s.questions) ?? [];
        for (const q of qs) expect(q.n, `${name} ${q.id}`).toBeGreaterThanOrEqual(5);
        expect(qs.map((q) => q.id)).not.toContain(RARE_QUESTION);
        if (name !== "qa") expect(qs.map((q) => q.id)).not.toContain(SKEWED_QUESTION);
      }
    },
    BROWSER_CHECK_MS,
  );

  it(
    "shows the latest Health Check closed by the end of the month in view, says which it is, and where a later one is",
    async () => {
      // Bexley Children's Social Care Quality Assurance Framework, §3.2.1 Social Work Health Check: "The
      // health check findings are analysed by the PSQA service alongside results from previous years
      // to monitor trends": a month's dashboard shows the latest findings there were by its end.
      // A short Health Check opened late in November whose window ended on the morning of 1 December:
      // November's dashboard (the default) still shows the autumn one, closed by the end of November,
      // and points to December for the later one; December's shows the later one.
      const late = await h.db.surveyCampaign.create({
        data: {
          templateId: "health-check",
          templateVersion: 1,
          title: "Social Work Health Check, winter pulse 2026",
          audience: {},
          opensAt: new Date("2026-11-27T09:00:00Z"),
          closesAt: new Date("2026-12-01T08:00:00Z"),
          status: "closed",
          closedAt: new Date("2026-12-01T08:00:00Z"),
        },
      });
      await h.db.surveyResponse.createMany({
        data: Array.from({ length: 6 }, () => ({
          campaignId: late.id,
          submittedOn: new Date("2026-12-01T00:00:00Z"),
          roleGroup: "practitioner",
          teamId: null,
          answers: { "confidence-three-houses": 4 },
        })),
      });
      const qa = (await h.staffWithRole("HEAD_OF_QA"))[0]!;
      const tab = await openTab(qa, { height: 3800, query: "?view=dashboard" });
      await tab.locator("#glance-title").waitFor();
      const panel = tab.locator('section[aria-labelledby="h-hc"]');
      const nov = await panel.innerText();
      expect(nov).toMatch(
        /The latest Health Check closed by the end of November 2026: Social Work Health Check, autumn 2026, closed on Wednesday 25 November 2026\./,
      );
      expect(nov).toMatch(
        /The most recent, Social Work Health Check, winter pulse 2026, closed later, on Tuesday 1 December 2026: choose December 2026 to see it\./,
      );
      expect(nov).toMatch(/Social Work Health Check, autumn 2026: 33 responses\./);
      await tab.locator("#f-month").selectOption("2026-12");
      await tab.getByRole("button", { name: "Show", exact: true }).click();
      await expect.poll(() => tab.locator("#glance-title").innerText()).toMatch(/December 2026 at a glance/);
      const dec = await panel.innerText();
      expect(dec).toMatch(
        /The latest Health Check closed by the end of December 2026: Social Work Health Check, winter pulse 2026, closed on Tuesday 1 December 2026\./,
      );
      expect(dec).toMatch(/Social Work Health Check, winter pulse 2026: 6 responses\./);
      expect(dec).not.toMatch(/closed later/);
      await shot("health-check-december");
      // October: none had closed by then, and the panel says so of October, not "yet".
      await tab.locator("#f-month").selectOption("2026-10");
      await tab.getByRole("button", { name: "Show", exact: true }).click();
      await expect.poll(() => tab.locator("#glance-title").innerText()).toMatch(/October 2026 at a glance/);
      expect(await panel.innerText()).toMatch(/No Social Work Health Check had closed by the end of October 2026\./);
    },
    BROWSER_CHECK_MS,
  );

  it("logs no warnings or errors in the browser console", () => {
    expect(problems.filter((m) => !/favicon/.test(m))).toEqual([]);
  });
});

// The app package's tabs: the Home tab and the channel dashboard are pages of the service's own
// host, and single sign-on names that host in the Application ID URI (api://<host>/<app id>).
import { describe, expect, it } from "vitest";
import { loadTemplate, renderManifest, resolveEnv, validateManifest } from "../../manifest/build";

const env = () => {
  const r = resolveEnv({
    APP_ID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    BOT_ID: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    BOT_DOMAIN: "assure.example.org",
    APP_VERSION: "1.2.3",
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.env;
};

describe("the Home tab in the app package", () => {
  it("declares the personal Home tab, the configurable channel tab and SSO for the service's host, valid against the official schema", () => {
    const m = renderManifest(env(), loadTemplate()) as Record<string, unknown>;
    expect(validateManifest(m, {}).errors).toEqual([]);
    expect(m.webApplicationInfo).toEqual({
      id: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
      resource: "api://assure.example.org/7c9e6679-7425-40de-944b-e07fc1f90ae7",
    });
    expect((m.staticTabs as { entityId: string }[]).map((t) => t.entityId)).toEqual(["home", "conversations"]);
  });

  it("refuses a tab page on a host the app does not own", () => {
    const m = renderManifest(env(), loadTemplate()) as {
      staticTabs: { contentUrl?: string }[];
      configurableTabs: { configurationUrl: string }[];
    };
    m.staticTabs[0]!.contentUrl = "https://evil.example/tab";
    m.configurableTabs[0]!.configurationUrl = "http://assure.example.org/tab/config";
    expect(validateManifest(m, {}).errors.map((e) => e.field)).toEqual([
      "/staticTabs/0/contentUrl",
      "/configurableTabs/0/configurationUrl",
    ]);
  });
});

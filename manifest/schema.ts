// The official Teams manifest JSON schema, from @microsoft/app-manifest (no network).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { type FieldError } from "./errors";
import { escapePointer } from "./template";

export function officialSchemaUrl(manifestVersion: string): string {
  return `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;
}

function schemaRoot(): string {
  const pkg = createRequire(import.meta.url).resolve("@microsoft/app-manifest/package.json");
  return join(dirname(pkg), "build", "json-schemas", "teams");
}

export function localSchemaPath(manifestVersion: string): string {
  return join(schemaRoot(), `v${manifestVersion}`, "MicrosoftTeams.schema.json");
}

/** The highest released (non-DevPreview) manifest version whose schema ships in @microsoft/app-manifest. */
export function newestLocalSchemaVersion(): string | undefined {
  const versions = readdirSync(schemaRoot())
    .map((d) => /^v(\d+)\.(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const last = versions.at(-1);
  return last ? `${last[0]}.${last[1]}` : undefined;
}

const validators = new Map<string, ValidateFunction>();

export function schemaValidator(manifestVersion: string): ValidateFunction | undefined {
  const cached = validators.get(manifestVersion);
  if (cached) return cached;
  const path = localSchemaPath(manifestVersion);
  if (!existsSync(path)) return undefined;
  const schema = JSON.parse(readFileSync(path, "utf8")) as { $schema?: string };
  // Use the JSON Schema draft the official file declares (draft-04 for every v1.x so far).
  const dialect = schema.$schema ?? "";
  const options = { allErrors: true, strictTypes: false } as const;
  const ajv = dialect.includes("draft-04")
    ? new AjvDraft04(options)
    : dialect.includes("2020-12")
      ? new Ajv2020(options)
      : new Ajv(options);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  validators.set(manifestVersion, validate);
  return validate;
}

export function schemaErrorToField(e: ErrorObject): FieldError {
  const at = e.instancePath || "";
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { field: `${at}/${String(params.missingProperty)}`, message: "is required (schema)" };
    case "additionalProperties":
      return {
        field: `${at}/${escapePointer(String(params.additionalProperty))}`,
        message: "is not a property the schema allows",
      };
    case "enum":
      return {
        field: at || "/",
        message: `must be one of ${JSON.stringify(params.allowedValues)} (schema)`,
      };
    case "const":
      return { field: at || "/", message: `must be ${JSON.stringify(params.allowedValue)} (schema)` };
    default:
      return { field: at || "/", message: `${e.message ?? e.keyword} (schema)` };
  }
}

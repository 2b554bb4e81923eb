// Sealed survey answers: while a campaign is open, each submitted answer set is held encrypted
// (AES-256-GCM) under SURVEY_SEAL_KEY, a key that lives in the service's environment and never in
// the database, and padded to one size per form, so a held row shows neither what was answered
// nor how much was typed. Only closing the campaign opens them, all together (campaigns.ts).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { Config } from "../config";
import { maxLengthOf, questionOptions } from "../forms/engine";
import { optionValue, type FormTemplate } from "../forms/templateSchema";

/** What is sealed: the answers and what the close needs to decide which groups may be stored. */
export interface SealedAnswers {
  answers: unknown;
  teamId: string | null;
  /** The role group the person gave (the form's role question), and their directory role group. */
  stated: string | null;
  directory: string | null;
}

// eslint-disable-next-line no-control-regex -- exactly the control characters are what it removes
const UNSEALABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const IV = 12;
const TAG = 16;

/** The key: SURVEY_SEAL_KEY (required in production by loadConfig); a fixed development key otherwise. */
export function sealKey(config: Pick<Config, "SURVEY_SEAL_KEY">): Buffer {
  if (!config.SURVEY_SEAL_KEY) return createHash("sha256").update("assure development survey seal: not secret").digest();
  const key = Buffer.from(config.SURVEY_SEAL_KEY, "base64");
  if (key.length !== 32) throw new Error("SURVEY_SEAL_KEY must be 32 bytes, base64.");
  return key;
}

/**
 * Plaintext size every sealed answer set of this form is padded to: the longest possible answers
 * (free text at its maximum length, 3 bytes a character: UTF-8, or a two-character JSON escape once
 * control characters are gone), rounded up to 1 KiB.
 */
export function sealedSize(template: FormTemplate): number {
  let n = 1024;
  for (const s of template.sections)
    for (const q of s.questions)
      n +=
        q.id.length * 2 +
        64 +
        (q.type === "text" || q.type === "longtext"
          ? maxLengthOf(q) * 3
          : questionOptions(q).reduce((m, o) => m + optionValue(o).length * 3 + 8, 64));
  return Math.ceil(n / 1024) * 1024;
}

export function seal(key: Buffer, size: number, payload: SealedAnswers): Uint8Array<ArrayBuffer> {
  // Control characters other than tab and line breaks would take 6 bytes each as JSON: dropped.
  // So are unpaired surrogates (also escaped to 6 bytes).
  const text = JSON.stringify(payload, (_k, v: unknown) => (typeof v === "string" ? v.replace(UNSEALABLE, "") : v));
  const json = Buffer.from(text, "utf8");
  if (json.length + 4 > size) throw new Error("Answers too long to seal.");
  const plain = randomBytes(size);
  plain.writeUInt32BE(json.length, 0);
  json.copy(plain, 4);
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]));
}

export function unseal(key: Buffer, sealed: Uint8Array): SealedAnswers {
  const buf = Buffer.from(sealed);
  const decipher = createDecipheriv("aes-256-gcm", key, buf.subarray(0, IV));
  decipher.setAuthTag(buf.subarray(IV, IV + TAG));
  const plain = Buffer.concat([decipher.update(buf.subarray(IV + TAG)), decipher.final()]);
  return JSON.parse(plain.subarray(4, 4 + plain.readUInt32BE(0)).toString("utf8")) as SealedAnswers;
}

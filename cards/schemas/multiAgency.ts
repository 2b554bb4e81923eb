// Submitted data of the multi-agency audit cards (Bexley framework §1.4). Free text is limited here
// and checked again, with messages next to the field, by services/multiAgency.
import { z } from "zod";
import { text } from "./common";

const id = z.string().uuid();
const t = (max: number) => text(max).optional();

export const auditRefSchema = z.object({ auditId: id }).passthrough();
export const invitationRefSchema = z.object({ invitationId: id }).passthrough();
export const maRecRefSchema = z.object({ recId: id }).passthrough();

export const createSchema = z
  .object({ caseRef: t(40), focus: t(40), toolDueOn: t(20), team: t(4000), practitioners: t(4000) })
  .passthrough();

/** The multi-agency audit tool: the service keeps only its own questions. */
export const toolSchema = z
  .object({ invitationId: id, involvement: t(4000), knowledge: t(4000), together: t(4000), wentWell: t(4000), learning: t(4000) })
  .passthrough();

export const attendanceSchema = z.object({ invitationId: id, attending: z.enum(["true", "false"]) }).passthrough();
export const discussionSetSchema = z.object({ auditId: id, discussionOn: t(20) }).passthrough();
export const discussionRecordSchema = z.object({ auditId: id, notes: t(8000) }).passthrough();
export const recommendationAddSchema = z.object({ auditId: id, text: t(4000), ownerId: t(40), dueOn: t(20) }).passthrough();
export const recommendationDoneSchema = z.object({ recId: id, note: t(4000) }).passthrough();

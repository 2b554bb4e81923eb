// One page of the audit form as card data.
import type { AppContext } from "../../context";
import type { Tx } from "../../db";
import type { AuditWithCase } from "../access";
import { repeatsPerMember } from "../feedback";
import { fieldViews, type FieldValues } from "../fields";
import { feedbackKindOf, pageIds, pageTitle, type AnswerRow } from "./layout";
import { setupPage } from "./pages";

export interface PageCard {
  auditId: string;
  version: number;
  page: string;
  pageTitle: string;
  pageNo: number;
  pageCount: number;
  caseRef: string;
  message: string;
  /** "Attention" for a message about a problem, "Good" for a confirmation. */
  messageColor: string;
  errorSummary: { text: string }[];
  fields: ReturnType<typeof fieldViews>;
  canBack: boolean;
  isReview: boolean;
  /** The family feedback page offers "Add another family member". */
  canAddMember: boolean;
}

export async function pageCard(
  tx: Tx,
  ctx: AppContext,
  audit: AuditWithCase,
  page: string,
  opts: {
    input?: FieldValues;
    errors?: Record<string, string>;
    message?: string;
    errorSummary?: string[];
    known?: readonly AnswerRow[];
  } = {},
): Promise<PageCard> {
  const pages = pageIds();
  const { defs, stored } = await setupPage(tx, ctx, audit, page, opts.known);
  const idx = pages.indexOf(page);
  const kind = feedbackKindOf(page);
  return {
    auditId: audit.id,
    version: audit.version,
    page,
    pageTitle: pageTitle(page),
    pageNo: idx + 1,
    pageCount: pages.length,
    caseRef: audit.case.caseRef,
    message: opts.message ?? "",
    messageColor: opts.errors && Object.keys(opts.errors).length ? "Attention" : opts.errorSummary?.length ? "Attention" : "Good",
    errorSummary: (opts.errorSummary ?? []).map((text) => ({ text })),
    fields: fieldViews(defs, stored, opts.input, opts.errors),
    canBack: idx > 0,
    isReview: page === "review",
    canAddMember: kind !== null && repeatsPerMember(kind),
  };
}

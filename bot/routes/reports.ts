// The reports: `report` (the month at a glance; team managers get their team's), `report team`
// (the appendix of case IDs and results), `report trends`, `report quarterly`, `report calibration`
// (QA only) and `report files` (XLSX and CSV under reports-out/). Who sees what is decided in
// services/reports (report.monthly / report.team / report.calibration).
import path from "node:path";
import { defineRoute, command, type Command, type RouteRequest } from "../router";
import { renderCard } from "../../cards/render";
import { reportMonthSchema, reportQuarterSchema } from "../../cards/schemas/reports";
import { may } from "../../services/permissions";
import {
  calibrationCardData,
  calibrationForActor,
  monthlyCardData,
  monthlyForActor,
  parseMonthArgs,
  quarterlyCardData,
  quarterlyForActor,
  reportFilesForActor,
  teamCardData,
  trendsCardData,
  trendsForActor,
} from "../../services/reports";

type MonthData = { month?: string; theme?: string };

/** "2026-11 Assessment" from a typed command, or the month/theme of the button pressed. */
function monthArgs(req: RouteRequest<MonthData>): string {
  if (req.via === "command") return req.args;
  return [req.data.month ?? "", req.data.theme ?? ""].join(" ").trim();
}

export function routes() {
  return [
    defineRoute({
      verb: "report.show",
      // Heads of service and QA (report.monthly) or team managers (report.team): the scope is the service's.
      capability: "report.view",
      schema: reportMonthSchema,
      async handle(req) {
        const { app, actor } = req;
        const view = await monthlyForActor(app, actor, parseMonthArgs(monthArgs(req), app.clock.now(), app.config.TIMEZONE), {
          appendix: false,
        });
        return { card: renderCard("report-monthly", monthlyCardData(view, { calibration: may(actor, "report.calibration") })) };
      },
    }),
    defineRoute({
      verb: "report.team",
      capability: "report.view",
      schema: reportMonthSchema,
      async handle(req) {
        const { app, actor } = req;
        const view = await monthlyForActor(app, actor, parseMonthArgs(monthArgs(req), app.clock.now(), app.config.TIMEZONE));
        return { card: renderCard("report-team", teamCardData(view)) };
      },
    }),
    defineRoute({
      verb: "report.files",
      capability: "report.view",
      schema: reportMonthSchema,
      async handle(req) {
        const files = await reportFilesForActor(req.app, req.actor, monthArgs(req), req.app.config.REPORTS_DIR);
        return {
          card: renderCard("message", {
            title: "Report files written",
            // File names only: where the server keeps them is nobody's business in a chat.
            text: `Workbook: ${path.basename(files.xlsx)}\n\nCSV: ${path.basename(files.summaryCsv)}, ${path.basename(files.appendixCsv)}\n\nThey are on the Assure server; ask the QA team to share them (a Teams file link is not available yet).`,
          }),
        };
      },
    }),
    defineRoute({
      verb: "report.trends",
      capability: "report.monthly",
      schema: reportMonthSchema,
      async handle(req) {
        return { card: renderCard("report-trends", trendsCardData(await trendsForActor(req.app, req.actor, monthArgs(req)))) };
      },
    }),
    defineRoute({
      verb: "report.quarterly",
      capability: "report.monthly",
      schema: reportQuarterSchema,
      async handle(req) {
        const args = req.via === "command" ? req.args : (req.data.quarter ?? "");
        return { card: renderCard("report-quarterly", quarterlyCardData(await quarterlyForActor(req.app, req.actor, args))) };
      },
    }),
    defineRoute({
      verb: "report.calibration",
      capability: "report.calibration",
      schema: reportMonthSchema,
      async handle(req) {
        return {
          card: renderCard("report-calibration", calibrationCardData(await calibrationForActor(req.app, req.actor, monthArgs(req)))),
        };
      },
    }),
  ];
}

export const commands: Command[] = [
  command("report", "report.show", "The monthly audit at a glance (report 2026-11)", { button: "Monthly report" }),
  command("report team", "report.team", "Team appendix: case IDs and audit results"),
  command("report files", "report.files", "Write the month's report as XLSX and CSV"),
  command("report trends", "report.trends", "Grades and area scores month to month"),
  command("report quarterly", "report.quarterly", "The quarterly QA report (report quarterly 2026-Q3)"),
  command("report calibration", "report.calibration", "Auditor calibration against moderation (QA team)"),
];

// The reports: `report` (the month at a glance; team managers get their team's), `report team`
// (the appendix of case IDs and results), `report trends`, `report quarterly`, `report calibration`
// (QA only) and `report files` (XLSX and CSV under reports-out/). Who sees what is decided in
// services/reports (report.monthly / report.team / report.calibration).
import path from "node:path";
import { cardRoute, command, type Command, type RouteRequest } from "../router";
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

/** The month asked for, in the service's time zone. */
const monthOf = (req: RouteRequest<MonthData>) => parseMonthArgs(monthArgs(req), req.app.clock.now(), req.app.config.TIMEZONE);

// File names only: where the server keeps them is nobody's business in a chat.
const filesWritten = (files: { xlsx: string; summaryCsv: string; appendixCsv: string }) => ({
  title: "Report files written",
  text: `Workbook: ${path.basename(files.xlsx)}\n\nCSV: ${path.basename(files.summaryCsv)}, ${path.basename(files.appendixCsv)}\n\nThey are on the Assure server; ask the QA team to share them (a Teams file link is not available yet).`,
});

export function routes() {
  const [view, monthly] = ["report.view", "report.monthly"] as const;
  return [
    // Heads of service and QA (report.monthly) or team managers (report.team): the scope is the service's.
    cardRoute("report.show", view, reportMonthSchema, "report-monthly", async (req) =>
      monthlyCardData(await monthlyForActor(req.app, req.actor, monthOf(req), { appendix: false }), {
        calibration: may(req.actor, "report.calibration"),
      }),
    ),
    cardRoute("report.team", view, reportMonthSchema, "report-team", async (req) =>
      teamCardData(await monthlyForActor(req.app, req.actor, monthOf(req))),
    ),
    cardRoute("report.files", view, reportMonthSchema, "message", async (req) =>
      filesWritten(await reportFilesForActor(req.app, req.actor, monthArgs(req), req.app.config.REPORTS_DIR)),
    ),
    cardRoute("report.trends", monthly, reportMonthSchema, "report-trends", async (req) =>
      trendsCardData(await trendsForActor(req.app, req.actor, monthArgs(req))),
    ),
    cardRoute("report.quarterly", monthly, reportQuarterSchema, "report-quarterly", async (req) =>
      quarterlyCardData(await quarterlyForActor(req.app, req.actor, req.via === "command" ? req.args : (req.data.quarter ?? ""))),
    ),
    cardRoute("report.calibration", "report.calibration", reportMonthSchema, "report-calibration", async (req) =>
      calibrationCardData(await calibrationForActor(req.app, req.actor, monthArgs(req))),
    ),
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

// Writes the example directory used by the demo seed: ≈60 staff across 6 practice teams plus the
// safeguarding & QA unit, and 300 cases across plan types. Names are invented staff names; cases
// carry a case-management ID only. Reproducible: `npx tsx scripts/make-example-data.ts`.
import { writeFileSync } from "node:fs";
import { rng, seededUuid } from "../services/random";

const r = rng("assure-example-directory");
const first = [
  "Amara",
  "Ben",
  "Chloe",
  "Dev",
  "Elif",
  "Femi",
  "Grace",
  "Hamza",
  "Isla",
  "Jonah",
  "Kiran",
  "Leah",
  "Marek",
  "Nadia",
  "Owen",
  "Priya",
  "Quinn",
  "Rosa",
  "Sam",
  "Tariq",
  "Uma",
  "Victor",
  "Wen",
  "Yusuf",
  "Zara",
  "Abi",
  "Callum",
  "Dina",
  "Ezra",
  "Farah",
];
const last = [
  "Adeyemi",
  "Brennan",
  "Clarke",
  "Dawson",
  "Evans",
  "Fraser",
  "Gill",
  "Hughes",
  "Iqbal",
  "Jones",
  "Khan",
  "Lewis",
  "Morgan",
  "Nowak",
  "Okafor",
  "Patel",
  "Quinn",
  "Reid",
  "Shah",
  "Taylor",
  "Usman",
  "Vaughan",
  "Walsh",
  "Young",
];
const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
const used = new Set<string>();
function person(): { name: string; email: string } {
  for (;;) {
    const name = `${pick(first)} ${pick(last)}`;
    const email = `${name.toLowerCase().replace(/[^a-z]+/g, ".")}@council.example`;
    if (!used.has(email)) {
      used.add(email);
      return { name, email };
    }
  }
}

interface Row {
  email: string;
  name: string;
  job_title: string;
  roles: string;
  team_id: string;
  team_name: string;
  service_area: string;
  line_manager_email: string;
  start_date: string;
  nqsw: string;
  case_holding: string;
  aad_object_id: string;
}
const staff: Row[] = [];
function add(
  p: { name: string; email: string },
  job: string,
  roles: string[],
  team: [string, string, string],
  manager: string,
  opts: { start?: string; nqsw?: boolean; caseHolding?: boolean } = {},
): string {
  staff.push({
    email: p.email,
    name: p.name,
    job_title: job,
    roles: roles.join(";"),
    team_id: team[0],
    team_name: team[1],
    service_area: team[2],
    line_manager_email: manager,
    start_date: opts.start ?? `20${10 + Math.floor(r() * 15)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
    nqsw: opts.nqsw ? "yes" : "no",
    case_holding: opts.caseHolding ? "yes" : "no",
    aad_object_id: seededUuid(p.email),
  });
  return p.email;
}

const lead: [string, string, string] = ["LEAD", "Leadership", "Directorate"];
const qa: [string, string, string] = ["SQAU", "Safeguarding & Quality Assurance Unit", "Quality Assurance"];
const dcs = add(person(), "Director of Children's Services", ["DIRECTOR"], lead, "");
const adCsc = add(person(), "Assistant Director, Children's Social Care", ["ASSISTANT_DIRECTOR"], lead, dcs);
const adQa = add(person(), "Assistant Director, Quality & Safeguarding", ["ASSISTANT_DIRECTOR"], lead, dcs);
const hosFront = add(person(), "Head of Service, Assessment & Child Protection", ["HEAD_OF_SERVICE", "MODERATOR"], lead, adCsc);
const hosCic = add(person(), "Head of Service, Children in Care & Care Leavers", ["HEAD_OF_SERVICE", "MODERATOR"], lead, adCsc);
const headQa = add(person(), "Head of Quality Assurance", ["HEAD_OF_QA", "QA_TEAM", "MODERATOR"], qa, adQa);
for (let i = 0; i < 3; i++) add(person(), "QA Business Support Officer", ["QA_TEAM"], qa, headQa);
for (let i = 0; i < 2; i++) add(person(), "Child Protection Conference Chair", ["CP_CHAIR", "MODERATOR"], qa, headQa);
for (let i = 0; i < 3; i++) add(person(), "Independent Reviewing Officer", ["IRO", "MODERATOR"], qa, headQa);
add(person(), "Fostering Independent Reviewing Officer", ["FOSTERING_IRO"], qa, headQa);
const smFront = add(person(), "Service Manager, Assessment & Intervention", ["SERVICE_MANAGER", "MODERATOR"], lead, hosFront);
const smCic = add(person(), "Service Manager, Children in Care", ["SERVICE_MANAGER", "MODERATOR"], lead, hosCic);
add(person(), "Consultant Social Worker", ["MODERATOR"], qa, headQa);

export const practiceTeams: { id: string; name: string; area: string; sm: string; plans: string[] }[] = [
  { id: "AI1", name: "Assessment & Intervention 1", area: "Assessment", sm: smFront, plans: ["CONTACT", "EARLY_HELP", "CHILD_IN_NEED"] },
  {
    id: "AI2",
    name: "Assessment & Intervention 2",
    area: "Assessment",
    sm: smFront,
    plans: ["CONTACT", "CHILD_IN_NEED", "CHILD_PROTECTION"],
  },
  { id: "CIN", name: "Children in Need", area: "Child in Need", sm: smFront, plans: ["CHILD_IN_NEED", "EARLY_HELP"] },
  { id: "CP", name: "Child Protection", area: "Child Protection", sm: smFront, plans: ["CHILD_PROTECTION", "CHILD_IN_NEED"] },
  { id: "CIC", name: "Children in Care", area: "Looked After Children", sm: smCic, plans: ["CHILD_LOOKED_AFTER"] },
  { id: "LC", name: "Leaving Care", area: "Care Leavers", sm: smCic, plans: ["CARE_LEAVER"] },
];
const workersByTeam = new Map<string, string[]>();
for (const t of practiceTeams) {
  const tt: [string, string, string] = [t.id, t.name, t.area];
  const tm = add(person(), "Team Manager", ["TEAM_MANAGER"], tt, t.sm);
  const dtm = add(person(), "Deputy Team Manager", ["DEPUTY_TEAM_MANAGER"], tt, tm, { caseHolding: true });
  const workers = [dtm];
  for (let i = 0; i < 5; i++) {
    const nq = i === 4;
    const job =
      t.id === "LC" && i === 3 ? "Personal Adviser" : nq ? "Social Worker (NQSW)" : i === 2 ? "Family Support Worker" : "Social Worker";
    workers.push(add(person(), job, ["PRACTITIONER"], tt, tm, { caseHolding: true, nqsw: nq, start: nq ? "2026-09-01" : undefined }));
  }
  workersByTeam.set(t.id, workers);
}

const cols = Object.keys(staff[0]!) as (keyof Row)[];
const csvLine = (vals: string[]) => vals.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(",");
writeFileSync("prisma/seed-data/staff.csv", [cols.join(","), ...staff.map((s) => csvLine(cols.map((c) => s[c])))].join("\n") + "\n");

const caseRows = ["case_ref,team_id,worker_email,plan_type,opened_on"];
let n = 0;
for (const t of practiceTeams) {
  const workers = workersByTeam.get(t.id)!;
  for (let i = 0; i < 50; i++) {
    n++;
    const ref = `LL${String(100000 + Math.floor(r() * 800000) + n).padStart(6, "0")}`;
    const opened = `202${3 + Math.floor(r() * 3)}-${String(1 + Math.floor(r() * 12)).padStart(2, "0")}-${String(1 + Math.floor(r() * 28)).padStart(2, "0")}`;
    caseRows.push(csvLine([ref, t.id, workers[i % workers.length]!, t.plans[i % t.plans.length]!, opened]));
  }
}
writeFileSync("prisma/seed-data/cases.csv", caseRows.join("\n") + "\n");
console.log(`wrote ${staff.length} staff, ${caseRows.length - 1} cases`);

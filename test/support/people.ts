// The people of the demo directory (prisma/seed-data/staff.csv) that tests act as, named by post.
export const PEOPLE = {
  dcs: "farah.dawson@council.example", // Director of Children's Services
  ad: "zara.shah@council.example", // Assistant Director, Children's Social Care
  hosCp: "rosa.dawson@council.example", // Head of Service, Assessment & Child Protection
  hosCic: "femi.shah@council.example", // Head of Service, Children in Care & Care Leavers
  headOfQa: "zara.khan@council.example",
  qa: "kiran.fraser@council.example", // QA Business Support Officer
  cpChair: "marek.clarke@council.example", // Child Protection Conference Chair
  iro: "farah.walsh@council.example", // Independent Reviewing Officer
  fosteringIro: "amara.shah@council.example",
  smAi: "callum.taylor@council.example", // Service Manager, Assessment & Intervention
  smCic: "quinn.dawson@council.example", // Service Manager, Children in Care
  dtmAi1: "hamza.brennan@council.example", // Deputy Team Manager, Assessment & Intervention 1
  dtmAi2: "sam.iqbal@council.example", // Deputy Team Manager, Assessment & Intervention 2
  cpWorker: "jonah.clarke@council.example", // Social Worker, Child Protection
  tmCic: "ezra.jones@council.example", // Team Manager, Children in Care
  cicWorker: "elif.jones@council.example", // Social Worker, Children in Care (line manager: tmCic)
} as const;

export type Person = keyof typeof PEOPLE;

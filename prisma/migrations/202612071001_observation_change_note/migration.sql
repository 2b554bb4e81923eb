-- Why an observation's date was moved or the observation cancelled (the practitioner is told).
ALTER TABLE "Observation" ADD COLUMN "changeNote" TEXT;

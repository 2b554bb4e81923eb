-- Why an observation's date was moved or the observation cancelled (the practitioner is told).
ALTER TABLE "Observation" ADD COLUMN "changeNote" TEXT;

-- An observation may be cancelled before it is recorded (services/observation/states.ts).
ALTER TABLE "Observation" DROP CONSTRAINT "Observation_status_check";
ALTER TABLE "Observation" ADD CONSTRAINT "Observation_status_check" CHECK (status IN ('required', 'awaiting_agreement', 'date_proposed', 'agreed', 'completed', 'cancelled'));

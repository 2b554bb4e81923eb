-- The statuses of escalations, supervision sessions and survey campaigns are those their state
-- machines define (services/<workflow>/states.ts; checkConstraintSql prints these lines).
ALTER TABLE "Escalation" ADD CONSTRAINT "Escalation_status_check" CHECK (status IN ('open', 'resolution_proposed', 'resolved'));
ALTER TABLE "SupervisionSession" ADD CONSTRAINT "SupervisionSession_status_check" CHECK (status IN ('scheduled', 'overdue', 'held'));
ALTER TABLE "SurveyCampaign" ADD CONSTRAINT "SurveyCampaign_status_check" CHECK (status IN ('open', 'closed'));

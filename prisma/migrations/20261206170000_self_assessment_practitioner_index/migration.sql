-- What waits on a practitioner (the Home tab): their pending self-assessments, read by person and
-- status without scanning one row per audit ever allocated.
CREATE INDEX "SelfAssessment_practitionerId_status_idx" ON "SelfAssessment"("practitionerId", "status");

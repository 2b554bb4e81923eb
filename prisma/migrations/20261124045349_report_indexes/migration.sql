-- CreateIndex
CREATE INDEX "AuditAnswer_auditId_area_score_idx" ON "AuditAnswer"("auditId", "area", "score");

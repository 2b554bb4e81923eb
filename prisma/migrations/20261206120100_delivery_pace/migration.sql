-- The tenant's ceiling shared by every sender instance (services/delivery/tenantPace.ts), and the
-- time of each message's last request, so a conversation's windows hold across instances.
ALTER TABLE "OutboxMessage" ADD COLUMN "requestAt" BIGINT;

CREATE TABLE "DeliveryPace" (
    "tenant" TEXT NOT NULL,
    "nextSlotMs" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "DeliveryPace_pkey" PRIMARY KEY ("tenant")
);

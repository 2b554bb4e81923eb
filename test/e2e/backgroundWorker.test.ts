// BACKGROUND_WORK=process (and auto, the default, with a PostgreSQL server): the service forks one
// worker process (bot/worker.ts) for the outbox sender and the scheduler. Cards still reach people, through the worker; the service's own event
// loop sends nothing; a worker that dies is started again; closing the service ends the worker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { startHarness, cardText, type Harness, type StaffRef } from "../support/harness";
import { enqueueMessage } from "../../services/outbox";
import { backgroundWorkIn } from "../../services/config";

let h: Harness;
let person: StaffRef;

beforeAll(async () => {
  // auto, the default: the test database is on a PostgreSQL server, so the worker runs in a process of its own.
  h = await startHarness({ startSender: true, env: { BACKGROUND_WORK: "auto", DELIVERY_POLL_MS: "100" } });
  person = await h.one("PRACTITIONER");
  await h.install(person);
});
afterAll(async () => {
  await h?.close();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function sendAndSee(key: string, text: string) {
  await enqueueMessage(h.db, {
    recipientId: person.id,
    idempotencyKey: key,
    payload: { template: "message", data: { title: "Note", text } },
  });
  await waitFor(`"${text}" to arrive`, () => h.connector.cardsTo(h.conversationOf(person)).some((c) => cardText(c).includes(text)), 30_000);
  // The sender records outcomes in small groups, just after the send.
  await waitFor(
    `${key} recorded as sent`,
    async () => (await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } })).status === "sent",
    30_000,
  );
}

describe("where background work runs", () => {
  it("auto: a worker process with a PostgreSQL server, the service's own process with the embedded database; a setting wins, except a worker beside the embedded database", () => {
    expect(backgroundWorkIn({ BACKGROUND_WORK: "auto" }, false)).toBe("process");
    expect(backgroundWorkIn({ BACKGROUND_WORK: "auto" }, true)).toBe("inline");
    expect(backgroundWorkIn({ BACKGROUND_WORK: "inline" }, false)).toBe("inline");
    expect(backgroundWorkIn({ BACKGROUND_WORK: "process" }, false)).toBe("process");
    // A worker beside the embedded database is refused at start, with what to do instead.
    expect(() => backgroundWorkIn({ BACKGROUND_WORK: "process" }, true)).toThrow(/needs a PostgreSQL server \(set DATABASE_URL\)/);
  });
});

describe("background work in its own process", () => {
  it("delivers through the worker, never from the service's own sender", async () => {
    const pid = h.service.worker?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    await sendAndSee("bg-1", "delivered by the worker");
    // The web process builds no sender (nor Graph client) of its own: delivery is the worker's alone.
    expect(h.service.sender).toBeUndefined();
    expect(h.service.scheduler).toBeUndefined();
  });

  it("starts the worker again when it dies, and nothing waiting is lost", async () => {
    const first = h.service.worker!.pid!;
    process.kill(first, "SIGKILL");
    await waitFor("the old worker to be gone", () => !alive(first), 30_000);
    await enqueueMessage(h.db, {
      recipientId: person.id,
      idempotencyKey: "bg-2",
      payload: { template: "message", data: { title: "Note", text: "sent while no worker ran" } },
    });
    await waitFor("a new worker", () => !!h.service.worker!.pid && h.service.worker!.pid !== first, 30_000);
    await sendAndSee("bg-3", "after the restart");
    expect(h.connector.cardsTo(h.conversationOf(person)).filter((c) => cardText(c).includes("sent while no worker ran"))).toHaveLength(1);
  });

  it("closing the service stops the worker", async () => {
    const pid = h.service.worker!.pid!;
    expect(alive(pid)).toBe(true);
    await h.close();
    expect(alive(pid)).toBe(false);
    h = undefined as unknown as Harness;
  });
});

// bot/router.ts: the one hook that shows a form again when a use case refuses the input, so no
// route repeats "try … catch ValidationFailed".
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { byId, cardRoute, defineRoute, fieldAgain, parseInput, runRoute, saveOrSubmit, type RouteRequest } from "../bot/router";
import { NotPermitted, ValidationFailed } from "../services/errors";
import type { AppContext } from "../services/context";

const schema = z.object({ caseRef: z.string() });
const request = (data: z.infer<typeof schema>): RouteRequest<z.infer<typeof schema>> => ({
  app: {} as AppContext,
  actor: { id: "s1", name: "A Person", roles: ["PRACTITIONER"], teamId: null },
  data,
  via: "execute",
  args: "",
  requestId: "r1",
});

function refusing(err: Error, withReshow: boolean) {
  const route = defineRoute({
    verb: "test.save",
    capability: "help.show",
    schema,
    handle: async () => {
      throw err;
    },
  });
  if (withReshow) route.reshow = async ({ data }, e) => ({ text: `again with ${data.caseRef}: ${e.fieldErrors.caseRef ?? e.message}` });
  return route;
}

describe("router: a refused input shows the form again", () => {
  it("gives the route's own form back, with what was typed and the message at the field", async () => {
    const route = refusing(new ValidationFailed("Check the case.", { caseRef: "No such case." }), true);
    expect(await runRoute(route, request({ caseRef: "ZZ9" }))).toEqual({ text: "again with ZZ9: No such case." });
  });

  it("leaves other errors, and routes without a form to show again, to the error card", async () => {
    await expect(runRoute(refusing(new NotPermitted("No."), true), request({ caseRef: "A1" }))).rejects.toThrow("No.");
    await expect(runRoute(refusing(new ValidationFailed("Check."), false), request({ caseRef: "A1" }))).rejects.toThrow("Check.");
  });

  it("parseInput turns a stricter schema's problems into the same refusal, keyed by field", () => {
    const strict = z.object({ target: z.coerce.number().int("The target is a whole number.") });
    expect(() => parseInput(strict, { target: "1.5" }, "Some settings need attention.")).toThrow(ValidationFailed);
    try {
      parseInput(strict, { target: "1.5" }, "Some settings need attention.");
    } catch (err) {
      expect((err as ValidationFailed).fieldErrors).toEqual({ target: "The target is a whole number." });
    }
  });
});

describe("router: a route module is a table of one-liners", () => {
  const texts = (reply: { card?: unknown }) => JSON.stringify(reply.card);
  const noteSchema = z.object({ recId: z.string(), note: z.string() });
  const noteRequest = (note: string) => ({ ...request({ caseRef: "" }), data: { recId: "rec1", note } });
  const recommendation = async (_app: AppContext, _actor: unknown, id: string) => ({ title: `Recommendation ${id}`, text: "Open" });

  it("cardRoute shows the use case's card; fieldAgain shows the card again with the field's problem only", async () => {
    const route = cardRoute(
      "test.done",
      "help.show",
      noteSchema,
      "message",
      async ({ data }) => {
        if (!data.note) throw new ValidationFailed("Check.", { note: "Say what was done." });
        if (data.note === "late") throw new ValidationFailed("Too late.");
        return { title: "Done", text: data.note };
      },
      fieldAgain("message", "note", byId("recId", recommendation)),
    );
    expect(texts(await runRoute(route, noteRequest("Met the family")))).toContain("Met the family");
    expect(texts(await runRoute(route, noteRequest("")))).toContain("Recommendation rec1");
    await expect(runRoute(route, noteRequest("late"))).rejects.toThrow("Too late.");
  });

  it("saveOrSubmit gives a form's Save and Submit buttons one use case, told which was pressed", async () => {
    const [save, submit] = saveOrSubmit(["test.save", "test.submit"], "help.show", schema, async ({ data }, submitted) => ({
      text: `${data.caseRef} ${submitted ? "submitted" : "saved"}`,
    }));
    expect([save!.verb, submit!.verb]).toEqual(["test.save", "test.submit"]);
    expect(await runRoute(save!, request({ caseRef: "A1" }))).toEqual({ text: "A1 saved" });
    expect(await runRoute(submit!, request({ caseRef: "A1" }))).toEqual({ text: "A1 submitted" });
  });
});

import { z } from "zod";
import { defineRoute, type Router } from "../router";
import { renderCard } from "../../cards/render";
import { may } from "../../services/permissions";
import { roleLabel } from "../../services/directory/roles";

const PRIMARY_BUTTONS = 3;

export function helpRoutes(router: Router) {
  return [
    defineRoute({
      verb: "help.show",
      capability: "help.show",
      schema: z.object({}).passthrough(),
      async handle({ actor }) {
        const allowed = router.commands.filter((c) => {
          const route = router.get(c.verb);
          return route && may(actor, route.capability);
        });
        return {
          card: renderCard("help", {
            name: actor.name,
            roles: actor.roles.map(roleLabel).join(", "),
            commands: allowed.map((c) => ({ command: c.words, description: c.description })),
            buttons: allowed
              .filter((c) => c.button)
              .slice(0, 6)
              // Teams fits about three buttons on a card; the rest go in its "…" overflow menu.
              .map((c, i) => ({ title: c.button, verb: c.verb, mode: i < PRIMARY_BUTTONS ? "primary" : "secondary" })),
          }),
        };
      },
    }),
  ];
}

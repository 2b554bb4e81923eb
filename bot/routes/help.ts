import { showRoute, command, type Command, type Router } from "../router";
import { withOverflow } from "../../cards/schemas/cardData";
import { may } from "../../services/permissions";
import { roleLabel } from "../../services/directory/roles";
import { mayDeliverHeldNow } from "../../services/delivery/held";

export const commands: Command[] = [command("help", "help.show", "What Assure can do for you"), command("hi", "help.show", "Start here")];

export function routes(router: Router) {
  return [
    showRoute("help.show", "help.show", "help", async (app, actor) => {
      const dev = mayDeliverHeldNow(app.config);
      const allowed = router.commands.filter((c) => {
        const route = router.get(c.verb);
        return route && may(actor, route.capability) && (!c.devOnly || dev);
      });
      return {
        name: actor.name,
        roles: actor.roles.map(roleLabel).join(", "),
        commands: allowed.map((c) => ({ command: c.words, description: c.description })),
        buttons: withOverflow(
          allowed
            .filter((c) => c.button)
            .slice(0, 6)
            .map((c) => ({ title: c.button, verb: c.verb })),
        ),
      };
    }),
  ];
}

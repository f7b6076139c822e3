/**
 * Compile-time checks of the public types: this file passes only if `tsc` accepts every line and
 * rejects every line marked @ts-expect-error. At run time it only declares things.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import * as v from "valibot";
import { z } from "zod";
import { defineCommand, defineEvent, type Bus, type EventOf } from "../../src/toolkit/index.js";

const UserRegistered = defineEvent("user.registered", {
  source: "users",
  version: 1,
  context: "USER_ONBOARDING",
  schema: z.object({ userId: z.string(), email: z.string().email(), age: z.number().optional() }),
});
const TeamCreated = defineEvent("team.created", { source: "teams", version: 1, context: "LEAGUE", schema: v.object({ teamId: v.string() }) });
const Ban = defineCommand("users.ban", { target: "users", version: 1, context: "MODERATION", schema: z.object({ userId: z.string() }), groupBy: (c) => c.userId });

// Declared, never called: only the compiler looks at these.
export function typeChecks(bus: Bus): void {
  void bus.publish(UserRegistered, { userId: "u", email: "e@x.io" });
  // @ts-expect-error: userId must be a string
  void bus.publish(UserRegistered, { userId: 1, email: "e@x.io" });
  // @ts-expect-error: email is required
  void bus.publish(UserRegistered, { userId: "u" });
  // @ts-expect-error: a command is not an event
  void bus.publish(Ban, { userId: "u" });
  void bus.send(Ban, { userId: "u" });
  // @ts-expect-error: an event is not a command
  void bus.send(UserRegistered, { userId: "u", email: "e@x.io" });
  void bus.publishMany([UserRegistered.of({ userId: "u", email: "e@x.io" }), TeamCreated.of({ teamId: "t" })]);
  // @ts-expect-error: teamId must be a string
  TeamCreated.of({ teamId: 3 });

  bus.consume("on-both", { events: [UserRegistered, TeamCreated] }, (event) => {
    if (event.type === "user.registered") {
      const email: string = event.data.email;
      const age: number | undefined = event.data.age;
      void email;
      void age;
      // @ts-expect-error: user.registered has no teamId
      void event.data.teamId;
    } else {
      const teamId: string = event.data.teamId;
      void teamId;
    }
  });
  bus
    .consumer("per-event")
    .on(UserRegistered, (event, ctx) => {
      const id: string = event.data.userId;
      const trace: string = ctx.traceId;
      void id;
      void trace;
    })
    // @ts-expect-error: commands are handled by bus.commands()
    .on(Ban, () => {});
  bus.commands().on(Ban, (command) => {
    const id: string = command.data.userId;
    void id;
  });

  const V2 = UserRegistered.evolve({
    version: 2,
    schema: z.object({ userId: z.string(), email: z.string(), locale: z.string() }),
    upcast: (previous) => ({ userId: previous.userId, email: previous.email, locale: "en" }),
  });
  UserRegistered.evolve({
    version: 2,
    schema: z.object({ userId: z.string(), locale: z.string() }),
    // @ts-expect-error: the upcaster must produce the new version's input
    upcast: (previous) => ({ userId: previous.userId }),
  });
  const lifted: EventOf<typeof V2> = {} as EventOf<typeof V2>;
  const version: 2 = lifted.version;
  const type: "user.registered" = lifted.type;
  void version;
  void type;
}

it("type checks are enforced by tsc (npm run typecheck)", () => {
  assert.equal(typeof typeChecks, "function");
});

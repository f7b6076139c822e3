import type { StructureShape, TypeOf } from "./shapes.js";

/**
 * One row of an action table: the action's name, its input and output shapes and its handler. Rows are
 * stored type-erased; `action()` is where the handler is checked against its shapes.
 */
export interface ActionSpec<Ctx> {
  name: string;
  input: StructureShape;
  output: StructureShape;
  handler(ctx: Ctx, input: Record<string, unknown>): unknown;
}

export function action<Ctx, I extends StructureShape, O extends StructureShape>(
  name: string,
  input: I,
  output: O,
  handler: (ctx: Ctx, input: NoInfer<TypeOf<I>>) => NoInfer<TypeOf<O> | Promise<TypeOf<O>>>,
): ActionSpec<Ctx> {
  return { name, input, output, handler: handler as unknown as ActionSpec<Ctx>["handler"] };
}

export type ActionTable<Ctx> = ReadonlyMap<string, ActionSpec<Ctx>>;

export function table<Ctx>(...actions: Array<ActionSpec<Ctx>>): ActionTable<Ctx> {
  return new Map(actions.map((a) => [a.name, a]));
}

/** Fixes the context type once per table, so handlers are inferred against their shapes only. */
export function actionsFor<Ctx>() {
  return <I extends StructureShape, O extends StructureShape>(
    name: string,
    input: I,
    output: O,
    handler: (ctx: Ctx, input: NoInfer<TypeOf<I>>) => NoInfer<TypeOf<O> | Promise<TypeOf<O>>>,
  ): ActionSpec<Ctx> => ({ name, input, output, handler: handler as unknown as ActionSpec<Ctx>["handler"] });
}

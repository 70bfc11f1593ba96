import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { OutboxHandler, OutboxHandlerClass } from './outbox-handler';

/** Every OutboxHandler provider of the application, by kind and by class. */
@Injectable()
export class OutboxHandlers implements OnModuleInit {
  private readonly byKind = new Map<string, OutboxHandler<unknown>>();

  constructor(@Optional() private readonly discovery?: DiscoveryService) {}

  /** A fixed set, for tests that build an OutboxService by hand. */
  static of(handlers: OutboxHandler<unknown>[]): OutboxHandlers {
    const registry = new OutboxHandlers();
    for (const handler of handlers) registry.add(handler);
    return registry;
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery?.getProviders() ?? []) {
      if (wrapper.instance instanceof OutboxHandler) this.add(wrapper.instance as OutboxHandler<unknown>);
    }
  }

  all(): OutboxHandler<unknown>[] {
    return [...this.byKind.values()];
  }

  byKindOf(kind: string): OutboxHandler<unknown> {
    const handler = this.byKind.get(kind);
    // Rows of a kind nobody handles can only come from a removed handler: an operator's problem, loudly.
    if (!handler) throw new Error(`No outbox handler for kind "${kind}"`);
    return handler;
  }

  /** The handler of exactly this class (a subclass is another kind: RegistrationRelayHandler is not a PatientMessageHandler's queue), else one that extends it. */
  instanceOf<P>(handlerClass: OutboxHandlerClass<P>): OutboxHandler<P> {
    const handlers = [...this.byKind.values()];
    const found = handlers.find((handler) => handler.constructor === handlerClass) ?? handlers.find((handler) => handler instanceof handlerClass);
    if (found) return found as OutboxHandler<P>;
    throw new Error(`${handlerClass.name} is not a provider of any module; add it to its feature module's providers`);
  }

  private add(handler: OutboxHandler<unknown>): void {
    const existing = this.byKind.get(handler.kind);
    if (existing && existing !== handler) throw new Error(`Two outbox handlers for kind "${handler.kind}"`);
    this.byKind.set(handler.kind, handler);
  }
}

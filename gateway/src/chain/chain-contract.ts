import { eth } from 'web3';
import type { AbiEventFragment, AbiFunctionFragment, AbiParameter, ContractAbi } from 'web3';

/** One log as the node returns it. */
export interface ChainLog {
  address: string;
  topics: string[];
  data: string;
  /** Set for mined logs (eth_getLogs, receipts). */
  blockNumber?: bigint;
  transactionHash?: string;
}

export interface ChainEvent {
  name: string;
  address: string;
  /** Decoded event parameters by name. */
  args: Record<string, unknown>;
}

/**
 * A deployed contract: its name, address and full ABI (custom errors included, which web3's
 * Contract drops). Not bound to a provider: every call goes through ChainClient.
 */
export class ChainContract {
  constructor(
    readonly name: string,
    readonly address: string,
    readonly abi: ContractAbi,
  ) {}

  /** The ABI entry of `method` taking `argCount` arguments. */
  functionFragment(method: string, argCount: number): AbiFunctionFragment {
    const fragment = (this.abi as readonly AbiFunctionFragment[]).find(
      (item) => item.type === 'function' && item.name === method && (item.inputs ?? []).length === argCount,
    );
    if (!fragment) throw new Error(`${this.name} has no function ${method} taking ${argCount} argument(s)`);
    return fragment;
  }

  /** Calldata for `method(args)`. */
  encodeCall(method: string, args: unknown[]): string {
    return eth.abi.encodeFunctionCall(this.functionFragment(method, args.length), args);
  }

  /** The outputs of `method` in ABI order, decoded from an eth_call result. */
  decodeOutputs(method: string, argCount: number, result: string): unknown[] {
    const outputs = this.functionFragment(method, argCount).outputs ?? [];
    const decoded = eth.abi.decodeParameters(outputs, result);
    return outputs.map((_, index) => decoded[index]);
  }

  /** topic0 of the named (non-anonymous) event. */
  eventTopic(name: string): string {
    const fragment = this.eventFragments().find((item) => item.name === name);
    if (!fragment) throw new Error(`${this.name} has no event ${name}`);
    return eth.abi.encodeEventSignature(fragment);
  }

  /** Decodes the logs this contract emitted against its ABI; unknown and anonymous logs are skipped. */
  events(logs: readonly ChainLog[]): ChainEvent[] {
    const address = this.address.toLowerCase();
    const bySignature = new Map(this.eventFragments().map((fragment) => [eth.abi.encodeEventSignature(fragment), fragment]));
    return logs.flatMap((log) => {
      const fragment = log.address.toLowerCase() === address ? bySignature.get(log.topics[0] ?? '') : undefined;
      if (!fragment?.name) return [];
      const inputs = (fragment.inputs ?? []) as AbiParameter[];
      const decoded = eth.abi.decodeLog(inputs, log.data, log.topics.slice(1));
      const args: Record<string, unknown> = {};
      for (const input of inputs) args[input.name] = decoded[input.name];
      return [{ name: fragment.name, address: log.address, args }];
    });
  }

  /** topic0 of every named event, e.g. to tell them from an anonymous event's logs. */
  eventTopics(): Set<string> {
    return new Set(this.eventFragments().map((fragment) => eth.abi.encodeEventSignature(fragment).toLowerCase()));
  }

  private eventFragments(): AbiEventFragment[] {
    return (this.abi as readonly AbiEventFragment[]).filter((item) => item.type === 'event' && !item.anonymous);
  }
}

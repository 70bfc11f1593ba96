import { Module } from '@nestjs/common';
import { ChainClient } from '../chain/chain-client';
import { NodeRpc } from '../chain/node-rpc';
import { BftConsensus } from './bft-consensus';
import { NetworkController } from './network.controller';
import { NetworkService } from './network.service';
import { ValidatorVotesService } from './validator-votes.service';

@Module({
  controllers: [NetworkController],
  providers: [
    NetworkService,
    ValidatorVotesService,
    BftConsensus,
    // The node ChainClient talks to (CHAIN_RPC_URL, or the embedded Anvil), for the methods web3 lacks.
    { provide: NodeRpc, inject: [ChainClient], useFactory: (client: ChainClient) => new NodeRpc(client.rpcUrl) },
  ],
})
export class NetworkModule {}

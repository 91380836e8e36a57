// docs/workflows.md: workers on PostgreSQL paying with an x402 wallet, within one budget for the whole fleet.
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { VeniceWallet } from "@venice-effect/venice"
// this program signs with a wallet: its calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import { DurablePayments, VeniceWorkflows, WorkflowStorage } from "@venice-effect/workflow"
import { Layer } from "effect"

// Every worker process runs this layer against the same database; a dead worker's runs move to the others.
export const Worker = VeniceWorkflows.layer().pipe(
  Layer.provideMerge(WorkflowStorage.layerPgConfig()), // VENICE_WORKFLOW_PG_URL
  // $10 per payment, $50 in all for this wallet, counted in the database (shared by every worker)
  Layer.provideMerge(DurablePayments.layer({ maxPerPaymentUsd: 10, budgetUsd: 50 })),
  // a wallet client without in-process payments: the workflow's durable top-up steps pay
  Layer.provideMerge(VeniceWallet.layerClient()),
  Layer.provideMerge(VeniceWallet.layerConfig()), // VENICE_WALLET_PRIVATE_KEY
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.provide(NodeContext.layer)
)

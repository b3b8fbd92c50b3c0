namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>
/// The credit schema at version 1 (commit 935ad61, before the analytics roll-up), exactly as EF Core created it then:
/// the output of <c>GenerateCreateScript()</c> of that commit's <c>CreditsDbContext</c> on each provider.
/// </summary>
public static partial class Version1Schema
{
    public const string Sqlite = """
CREATE TABLE "credit_packages" (
    "id" TEXT NOT NULL CONSTRAINT "PK_credit_packages" PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT NULL,
    "credits" INTEGER NOT NULL,
    "price_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "is_free" INTEGER NOT NULL,
    "once_per_user" INTEGER NOT NULL,
    "most_popular" INTEGER NOT NULL,
    "is_active" INTEGER NOT NULL,
    "credit_lifetime_days" INTEGER NULL,
    "sort_order" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);
CREATE TABLE "feature_pricing" (
    "feature" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "description" TEXT NULL,
    "is_active" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "PK_feature_pricing" PRIMARY KEY ("feature", "model")
);
CREATE TABLE "users" (
    "id" TEXT NOT NULL CONSTRAINT "PK_users" PRIMARY KEY,
    "email" TEXT NULL,
    "display_name" TEXT NULL,
    "is_admin" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "deleted_at" TEXT NULL
);
CREATE TABLE "webhook_events" (
    "id" TEXT NOT NULL CONSTRAINT "PK_webhook_events" PRIMARY KEY,
    "provider" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "processed_at" TEXT NOT NULL
);
CREATE TABLE "credit_grants" (
    "id" TEXT NOT NULL CONSTRAINT "PK_credit_grants" PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "transaction_id" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "remaining" INTEGER NOT NULL,
    "expires_at" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "FK_credit_grants_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT
);
CREATE TABLE "credit_reservations" (
    "id" TEXT NOT NULL CONSTRAINT "PK_credit_reservations" PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "is_unlimited" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "captured_amount" INTEGER NULL,
    "transaction_id" TEXT NULL,
    "idempotency_key" TEXT NULL,
    "expires_at" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "settled_at" TEXT NULL,
    CONSTRAINT "FK_credit_reservations_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT
);
CREATE TABLE "credit_transactions" (
    "id" TEXT NOT NULL CONSTRAINT "PK_credit_transactions" PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "balance_after" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "metadata" TEXT NULL,
    "idempotency_key" TEXT NULL,
    "reference" TEXT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "FK_credit_transactions_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT
);
CREATE TABLE "credits" (
    "user_id" TEXT NOT NULL CONSTRAINT "PK_credits" PRIMARY KEY,
    "balance" INTEGER NOT NULL,
    "reserved" INTEGER NOT NULL,
    "total_granted" INTEGER NOT NULL,
    "total_consumed" INTEGER NOT NULL,
    "next_expiry_at" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "FK_credits_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT
);
CREATE TABLE "purchases" (
    "id" TEXT NOT NULL CONSTRAINT "PK_purchases" PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "package_id" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_session_id" TEXT NULL,
    "provider_payment_id" TEXT NULL,
    "transaction_id" TEXT NULL,
    "failure_reason" TEXT NULL,
    "refunded_amount_cents" INTEGER NOT NULL,
    "dispute_id" TEXT NULL,
    "dispute_state" TEXT NULL,
    "disputed_amount_cents" INTEGER NOT NULL,
    "credits_clawed_back" INTEGER NOT NULL,
    "clawback_shortfall" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "completed_at" TEXT NULL,
    CONSTRAINT "FK_purchases_credit_packages_package_id" FOREIGN KEY ("package_id") REFERENCES "credit_packages" ("id") ON DELETE RESTRICT,
    CONSTRAINT "FK_purchases_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT
);
CREATE TABLE "usage_logs" (
    "id" TEXT NOT NULL CONSTRAINT "PK_usage_logs" PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "credits_used" INTEGER NOT NULL,
    "price" INTEGER NOT NULL,
    "is_unlimited" INTEGER NOT NULL,
    "prompt" TEXT NULL,
    "metadata" TEXT NULL,
    "transaction_id" TEXT NULL,
    "idempotency_key" TEXT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "FK_usage_logs_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT
);
CREATE INDEX "IX_credit_grants_expires_at" ON "credit_grants" ("expires_at");
CREATE UNIQUE INDEX "IX_credit_grants_transaction_id" ON "credit_grants" ("transaction_id");
CREATE INDEX "IX_credit_grants_user_id_expires_at" ON "credit_grants" ("user_id", "expires_at");
CREATE INDEX "IX_credit_reservations_status_expires_at" ON "credit_reservations" ("status", "expires_at");
CREATE UNIQUE INDEX "IX_credit_reservations_user_id_idempotency_key" ON "credit_reservations" ("user_id", "idempotency_key") WHERE idempotency_key IS NOT NULL;
CREATE INDEX "IX_credit_reservations_user_id_status_expires_at" ON "credit_reservations" ("user_id", "status", "expires_at");
CREATE INDEX "IX_credit_transactions_created_at" ON "credit_transactions" ("created_at");
CREATE INDEX "IX_credit_transactions_user_id_created_at" ON "credit_transactions" ("user_id", "created_at");
CREATE UNIQUE INDEX "IX_credit_transactions_user_id_idempotency_key" ON "credit_transactions" ("user_id", "idempotency_key") WHERE idempotency_key IS NOT NULL;
CREATE INDEX "IX_purchases_created_at" ON "purchases" ("created_at");
CREATE INDEX "IX_purchases_package_id" ON "purchases" ("package_id");
CREATE INDEX "IX_purchases_provider_payment_id" ON "purchases" ("provider_payment_id");
CREATE UNIQUE INDEX "IX_purchases_provider_session_id" ON "purchases" ("provider_session_id");
CREATE INDEX "IX_purchases_status_completed_at" ON "purchases" ("status", "completed_at");
CREATE INDEX "IX_purchases_status_created_at" ON "purchases" ("status", "created_at");
CREATE INDEX "IX_purchases_user_id_created_at" ON "purchases" ("user_id", "created_at");
CREATE INDEX "IX_usage_logs_created_at_feature_model" ON "usage_logs" ("created_at", "feature", "model");
CREATE INDEX "IX_usage_logs_user_id_created_at" ON "usage_logs" ("user_id", "created_at");
CREATE UNIQUE INDEX "IX_usage_logs_user_id_idempotency_key" ON "usage_logs" ("user_id", "idempotency_key") WHERE idempotency_key IS NOT NULL;
CREATE INDEX "IX_webhook_events_processed_at" ON "webhook_events" ("processed_at");
CREATE UNIQUE INDEX "IX_webhook_events_provider_event_id" ON "webhook_events" ("provider", "event_id");
""";
}

namespace MediaForge.Credits.Tests.Storage.Schema;

/// <summary>The PostgreSQL half of <see cref="Version1Schema"/>.</summary>
public static partial class Version1Schema
{
    public const string Postgres = """
CREATE TABLE credit_packages (
    id character varying(64) NOT NULL,
    name character varying(100) NOT NULL,
    description character varying(500),
    credits bigint NOT NULL,
    price_cents bigint NOT NULL,
    currency character varying(3) NOT NULL,
    is_free boolean NOT NULL,
    once_per_user boolean NOT NULL,
    most_popular boolean NOT NULL,
    is_active boolean NOT NULL,
    credit_lifetime_days integer,
    sort_order integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_credit_packages" PRIMARY KEY (id)
);
CREATE TABLE feature_pricing (
    feature character varying(64) NOT NULL,
    model character varying(64) NOT NULL,
    credits bigint NOT NULL,
    description character varying(500),
    is_active boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_feature_pricing" PRIMARY KEY (feature, model)
);
CREATE TABLE users (
    id character varying(128) NOT NULL,
    email character varying(320),
    display_name character varying(256),
    is_admin boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT "PK_users" PRIMARY KEY (id)
);
CREATE TABLE webhook_events (
    id uuid NOT NULL,
    provider character varying(32) NOT NULL,
    event_id character varying(255) NOT NULL,
    type character varying(100) NOT NULL,
    outcome character varying(500) NOT NULL,
    processed_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_webhook_events" PRIMARY KEY (id)
);
CREATE TABLE credit_grants (
    id uuid NOT NULL,
    user_id character varying(128) NOT NULL,
    transaction_id uuid NOT NULL,
    amount bigint NOT NULL,
    remaining bigint NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_credit_grants" PRIMARY KEY (id),
    CONSTRAINT "FK_credit_grants_users_user_id" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE TABLE credit_reservations (
    id uuid NOT NULL,
    user_id character varying(128) NOT NULL,
    feature character varying(64) NOT NULL,
    model character varying(64) NOT NULL,
    amount bigint NOT NULL,
    is_unlimited boolean NOT NULL,
    status character varying(32) NOT NULL,
    captured_amount bigint,
    transaction_id uuid,
    idempotency_key character varying(200),
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    settled_at timestamp with time zone,
    CONSTRAINT "PK_credit_reservations" PRIMARY KEY (id),
    CONSTRAINT "FK_credit_reservations_users_user_id" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE TABLE credit_transactions (
    id uuid NOT NULL,
    user_id character varying(128) NOT NULL,
    amount bigint NOT NULL,
    balance_after bigint NOT NULL,
    type character varying(32) NOT NULL,
    description character varying(500) NOT NULL,
    metadata text,
    idempotency_key character varying(200),
    reference character varying(255),
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_credit_transactions" PRIMARY KEY (id),
    CONSTRAINT "FK_credit_transactions_users_user_id" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE TABLE credits (
    user_id character varying(128) NOT NULL,
    balance bigint NOT NULL,
    reserved bigint NOT NULL,
    total_granted bigint NOT NULL,
    total_consumed bigint NOT NULL,
    next_expiry_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_credits" PRIMARY KEY (user_id),
    CONSTRAINT "FK_credits_users_user_id" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE TABLE purchases (
    id uuid NOT NULL,
    user_id character varying(128) NOT NULL,
    package_id character varying(64) NOT NULL,
    credits bigint NOT NULL,
    amount_cents bigint NOT NULL,
    currency character varying(3) NOT NULL,
    status character varying(32) NOT NULL,
    provider character varying(32) NOT NULL,
    provider_session_id character varying(255),
    provider_payment_id character varying(255),
    transaction_id uuid,
    failure_reason character varying(500),
    refunded_amount_cents bigint NOT NULL,
    dispute_id character varying(255),
    dispute_state character varying(32),
    disputed_amount_cents bigint NOT NULL,
    credits_clawed_back bigint NOT NULL,
    clawback_shortfall bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    completed_at timestamp with time zone,
    CONSTRAINT "PK_purchases" PRIMARY KEY (id),
    CONSTRAINT "FK_purchases_credit_packages_package_id" FOREIGN KEY (package_id) REFERENCES credit_packages (id) ON DELETE RESTRICT,
    CONSTRAINT "FK_purchases_users_user_id" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE TABLE usage_logs (
    id uuid NOT NULL,
    user_id character varying(128) NOT NULL,
    feature character varying(64) NOT NULL,
    model character varying(64) NOT NULL,
    credits_used bigint NOT NULL,
    price bigint NOT NULL,
    is_unlimited boolean NOT NULL,
    prompt text,
    metadata text,
    transaction_id uuid,
    idempotency_key character varying(200),
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_usage_logs" PRIMARY KEY (id),
    CONSTRAINT "FK_usage_logs_users_user_id" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE INDEX "IX_credit_grants_expires_at" ON credit_grants (expires_at);
CREATE UNIQUE INDEX "IX_credit_grants_transaction_id" ON credit_grants (transaction_id);
CREATE INDEX "IX_credit_grants_user_id_expires_at" ON credit_grants (user_id, expires_at);
CREATE INDEX "IX_credit_reservations_status_expires_at" ON credit_reservations (status, expires_at);
CREATE UNIQUE INDEX "IX_credit_reservations_user_id_idempotency_key" ON credit_reservations (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX "IX_credit_reservations_user_id_status_expires_at" ON credit_reservations (user_id, status, expires_at);
CREATE INDEX "IX_credit_transactions_created_at" ON credit_transactions (created_at);
CREATE INDEX "IX_credit_transactions_user_id_created_at" ON credit_transactions (user_id, created_at);
CREATE UNIQUE INDEX "IX_credit_transactions_user_id_idempotency_key" ON credit_transactions (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX "IX_purchases_created_at" ON purchases (created_at);
CREATE INDEX "IX_purchases_package_id" ON purchases (package_id);
CREATE INDEX "IX_purchases_provider_payment_id" ON purchases (provider_payment_id);
CREATE UNIQUE INDEX "IX_purchases_provider_session_id" ON purchases (provider_session_id);
CREATE INDEX "IX_purchases_status_completed_at" ON purchases (status, completed_at);
CREATE INDEX "IX_purchases_status_created_at" ON purchases (status, created_at);
CREATE INDEX "IX_purchases_user_id_created_at" ON purchases (user_id, created_at);
CREATE INDEX "IX_usage_logs_created_at_feature_model" ON usage_logs (created_at, feature, model);
CREATE INDEX "IX_usage_logs_user_id_created_at" ON usage_logs (user_id, created_at);
CREATE UNIQUE INDEX "IX_usage_logs_user_id_idempotency_key" ON usage_logs (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX "IX_webhook_events_processed_at" ON webhook_events (processed_at);
CREATE UNIQUE INDEX "IX_webhook_events_provider_event_id" ON webhook_events (provider, event_id);
""";
}

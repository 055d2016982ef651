-- payout_totals (issue 12): payouts counted and summed by programme, street, month and status
-- by the projection, so `payoutTotals` and the settled payouts of `supervisionKpis` read a
-- few rows instead of scanning every payout. `payout_totals_payouts` holds each payout's key,
-- amount, status and recovered amount, so a settlement or reversal moves it from one counter row to another.
CREATE TABLE IF NOT EXISTS payout_totals_payouts (
    payout_id TEXT PRIMARY KEY,
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    month TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    recovered_fen BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS payout_totals (
    programme TEXT NOT NULL,
    street TEXT NOT NULL,
    month TEXT NOT NULL,
    status TEXT NOT NULL,
    payouts BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    recovered_fen BIGINT NOT NULL,
    PRIMARY KEY (programme, street, month, status)
);

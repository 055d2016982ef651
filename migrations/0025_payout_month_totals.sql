-- payout_month_totals (issue 12): payout_totals without the street, kept by the same
-- projection. The district's settled payouts (supervisionKpis) and a payoutTotals neither
-- grouped nor filtered by street read one row per programme, month and status instead of one
-- per street as well (19,483 rows summed for a KPI answer at province size). Filled here from
-- payout_totals, so the view needs no rebuild; an index lets one street's rows be found.
CREATE TABLE IF NOT EXISTS payout_month_totals (
    programme TEXT NOT NULL,
    month TEXT NOT NULL,
    status TEXT NOT NULL,
    payouts BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    recovered_fen BIGINT NOT NULL,
    PRIMARY KEY (programme, month, status)
);

INSERT INTO payout_month_totals (programme, month, status, payouts, amount_fen, recovered_fen)
SELECT programme, month, status, SUM(payouts), SUM(amount_fen), SUM(recovered_fen)
FROM payout_totals
GROUP BY programme, month, status;

CREATE INDEX IF NOT EXISTS payout_totals_by_street ON payout_totals (street, month);

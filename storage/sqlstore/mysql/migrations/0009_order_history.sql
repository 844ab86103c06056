-- Clientele schema, version 9, MySQL 8 / MariaDB 10.11 / TiDB: the fuller
-- order history (package order): each order's returns, exchanges and
-- refunds in one table keyed by (order, kind, ID), and each customer's
-- order statistics per currency, with an index on (currency, spent,
-- customer) for lists by spend. The statistics start from the orders
-- already recorded (every order counts, the services' default).
CREATE TABLE {{prefix}}order_details (
    order_id    VARBINARY(400) NOT NULL,
    kind        VARBINARY(16) NOT NULL,
    id          VARBINARY(400) NOT NULL,
    status      VARBINARY(32) NOT NULL,
    type        VARBINARY(32) NOT NULL,
    amount      BIGINT NOT NULL,
    currency    VARBINARY(8) NOT NULL,
    destination VARBINARY(32) NOT NULL,
    reason      VARBINARY(2000) NOT NULL,
    return_id   VARBINARY(400) NOT NULL,
    posting_id  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    at          BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (order_id, kind, id),
    FOREIGN KEY (order_id) REFERENCES {{prefix}}orders (id)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}order_stats (
    customer_id    CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    currency       VARBINARY(8) NOT NULL,
    order_count    BIGINT NOT NULL,
    spent          BIGINT NOT NULL,
    refunded       BIGINT NOT NULL,
    first_order_at BIGINT NULL,
    last_order_at  BIGINT NULL,
    PRIMARY KEY (customer_id, currency),
    KEY {{prefix}}order_stats_spend (currency, spent, customer_id),
    FOREIGN KEY (customer_id) REFERENCES {{prefix}}customers (id)
) ENGINE=InnoDB
-- statement
INSERT INTO {{prefix}}order_stats (customer_id, currency, order_count, spent, refunded, first_order_at, last_order_at)
SELECT customer_id, currency, COUNT(*), SUM(total), 0, MIN(placed_at), MAX(placed_at)
FROM {{prefix}}orders GROUP BY customer_id, currency

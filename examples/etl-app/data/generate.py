#!/usr/bin/env python3
"""Regenerates data/orders.csv and data/customers.json deterministically.

The files are committed; this script only documents how they were made.
No randomness: every value is a function of the row number.
Run from examples/etl-app:  python3 data/generate.py
"""
import datetime
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

COUNTRIES = ["DE", "FR", "US", "GB", "NL"]
SEGMENTS = ["consumer", "smb", "enterprise"]
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John",
         "Margaret", "Dennis", "Ken", "Radia", "Leslie", "Niklaus", "Tony"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen",
        "Backus", "Hamilton", "Ritchie", "Thompson", "Perlman", "Lamport", "Wirth", "Hoare"]
PRODUCTS = [("laptop", "electronics", 899.00), ("monitor", "electronics", 219.50),
            ("keyboard", "accessories", 49.90), ("mouse", "accessories", 19.99),
            ("desk", "furniture", 349.00), ("chair", "furniture", 189.00),
            ("headset", "accessories", 79.00), ("tablet", "electronics", 429.00)]
STATUSES = ["COMPLETED"] * 7 + ["CANCELLED", "RETURNED", "PENDING"]

N_CUSTOMERS = 30
N_ORDERS = 150
DUPLICATED = [7, 42, 77, 111]  # order ids written twice (for the dedupe step)


def customers():
    for i in range(1, N_CUSTOMERS + 1):
        yield {
            "customer_id": i,
            "name": f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}",
            "country": COUNTRIES[i % len(COUNTRIES)],
            "segment": SEGMENTS[(i // 2) % len(SEGMENTS)],
            "signup_date": (datetime.date(2023, 1, 1) + datetime.timedelta(days=i * 11)).isoformat(),
        }


def orders():
    start = datetime.date(2024, 1, 1)
    for i in range(1, N_ORDERS + 1):
        product, category, price = PRODUCTS[(i * 5) % len(PRODUCTS)]
        row = [
            str(i),
            str((i * 13) % N_CUSTOMERS + 1),
            (start + datetime.timedelta(days=(i * 3) % 90)).isoformat(),
            product,
            category,
            str((i % 4) + 1),
            f"{price:.2f}",
            STATUSES[i % len(STATUSES)],
        ]
        yield row
        if i in DUPLICATED:
            yield row


def main():
    with open(os.path.join(HERE, "orders.csv"), "w", newline="\n") as f:
        f.write("order_id,customer_id,order_date,product,category,quantity,unit_price,status\n")
        for row in orders():
            f.write(",".join(row) + "\n")
    with open(os.path.join(HERE, "customers.json"), "w", newline="\n") as f:
        for c in customers():
            f.write(json.dumps(c, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()

// Which EU customers spent more than 5,000 last month, by product category?
// `codemode demo` runs this against the bundled demo MCP server; every
// `demo.*` call below is a real MCP tool call over stdio.

const THRESHOLD = 5000;

// "Last month" is relative to the dataset's own today, not the real date.
const { today } = await demo.get_today();
const [year, month] = today.split("-").map(Number);
const day = (date) => date.toISOString().slice(0, 10);
const lastMonth = {
  region: "EU",
  from: day(new Date(Date.UTC(year, month - 2, 1))),
  to: day(new Date(Date.UTC(year, month - 1, 0))),
};

// Totals per customer and per (customer, category), fetched concurrently.
const [perCustomer, perCategory] = await Promise.all([
  demo.aggregate_orders({ ...lastMonth, group_by: ["customer_id"], limit: 1000 }),
  demo.aggregate_orders({ ...lastMonth, group_by: ["customer_id", "category"], limit: 1000 }),
]);
const big = perCustomer.items.filter((group) => group.sum > THRESHOLD);
console.log(`${perCustomer.items.length} EU customers ordered in ${lastMonth.from.slice(0, 7)}; ${big.length} spent more than ${THRESHOLD}`);

const { items: customers } = await demo.list_customers({
  ids: big.map((group) => group.key.customer_id),
  select: ["id", "name", "country"],
});

return {
  month: lastMonth.from.slice(0, 7),
  customers: big
    .sort((a, b) => b.sum - a.sum)
    .map((group) => {
      const id = group.key.customer_id;
      const { name, country } = customers.find((customer) => customer.id === id);
      const byCategory = Object.fromEntries(
        perCategory.items
          .filter((row) => row.key.customer_id === id)
          .sort((a, b) => b.sum - a.sum)
          .map((row) => [row.key.category, row.sum]),
      );
      return { id, name, country, total: group.sum, byCategory };
    }),
};

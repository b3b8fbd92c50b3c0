// MediaForge.Credits admin dashboard: reads the admin JSON endpoints and draws inline SVG. No external assets.
(function () {
  "use strict";
  const api = document.body.dataset.api;
  const palette = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16", "#64748b"];
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const num = (n) => Number(n).toLocaleString("en-US");
  const money = (cents, currency) => (cents / 100).toLocaleString("en-US", { style: "currency", currency: currency.toUpperCase() });
  const day = (iso, bucket) => { const d = new Date(iso); return bucket === "hour" ? d.toISOString().slice(5, 13).replace("T", " ") + "h" : bucket === "month" ? d.toISOString().slice(0, 7) : d.toISOString().slice(5, 10); };

  async function get(path) {
    const response = await fetch(api + path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    return response.json();
  }

  function params() {
    const q = new URLSearchParams(location.search);
    const to = q.get("to") ? new Date(q.get("to")) : new Date();
    const from = q.get("from") ? new Date(q.get("from")) : new Date(to.getTime() - 30 * 864e5);
    return { from: from.toISOString(), to: to.toISOString(), bucket: q.get("bucket") || "day" };
  }

  // Stacked bars: one bar per bucket start, one segment per series key.
  function stackedBars(container, legend, points, keyOf, valueOf, format, bucket, width) {
    const starts = [...new Set(points.map((p) => p.start))].sort();
    const keys = [...new Set(points.map(keyOf))].sort();
    if (!starts.length) { container.innerHTML = '<p class="empty">No data in this range.</p>'; legend.innerHTML = ""; return; }
    const totals = starts.map((s) => points.filter((p) => p.start === s).reduce((a, p) => a + valueOf(p), 0));
    const max = Math.max(1, ...totals);
    const W = width || 760, H = width ? Math.round(width * 0.55) : 260, L = 56, B = 28, T = 16, plotW = W - L - 8, plotH = H - B - T;
    const step = plotW / starts.length, bw = Math.max(4, Math.min(48, step * 0.7));
    let svg = `<svg viewBox="0 0 ${W} ${H}" role="img">`;
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4, y = T + plotH - (plotH * i) / 4;
      svg += `<line x1="${L}" x2="${W - 8}" y1="${y}" y2="${y}" stroke="#e4e7eb"/><text x="${L - 6}" y="${y + 4}" text-anchor="end">${esc(format(v))}</text>`;
    }
    const labelEvery = Math.ceil(starts.length / 12);
    starts.forEach((s, i) => {
      let y = T + plotH;
      const x = L + i * step + (step - bw) / 2;
      keys.forEach((k, ki) => {
        const v = points.filter((p) => p.start === s && keyOf(p) === k).reduce((a, p) => a + valueOf(p), 0);
        if (!v) return;
        const h = (plotH * v) / max;
        y -= h;
        svg += `<rect x="${x}" y="${y}" width="${bw}" height="${h}" fill="${palette[ki % palette.length]}"><title>${esc(day(s, bucket))} ${esc(k)}: ${esc(format(v))}</title></rect>`;
      });
      svg += `<text x="${x + bw / 2}" y="${y - 4}" text-anchor="middle" fill="#1f2933">${esc(format(totals[i]))}</text>`;
      if (i % labelEvery === 0) svg += `<text x="${x + bw / 2}" y="${H - 10}" text-anchor="middle">${esc(day(s, bucket))}</text>`;
    });
    container.innerHTML = svg + "</svg>";
    legend.innerHTML = keys.map((k, i) => `<span style="--c:${palette[i % palette.length]}">${esc(k)}</span>`).join("");
  }

  function bars(container, rows) {
    const max = Math.max(1, ...rows.map((r) => r.value));
    container.innerHTML = rows.length ? rows.map((r) => `<div class="bar-row"><span>${esc(r.label)}</span><div class="track"><div class="fill" style="width:${(100 * r.value) / max}%;background:${r.color || "var(--accent)"}"></div></div><span class="num">${esc(r.text)}</span></div>`).join("") : '<p class="empty">No data in this range.</p>';
  }

  function kpis(usage, purchases, split) {
    const revenue = purchases.revenue.map((r) => money(r.amountCents, r.currency)).join(" + ") || "0";
    const cards = [
      ["Credits consumed", num(usage.creditsConsumed), `${num(usage.uses)} uses · ${usage.creditsPerDay.toFixed(1)} / day`],
      ["Active users", num(usage.activeUsers), `${num(usage.unlimitedUses)} admin (unlimited) uses`],
      ["Free / paid credits", `${num(split.freeCredits)} / ${num(split.paidCredits)}`, "free credits are spent first"],
      ["Revenue", revenue, `${num(purchases.revenue.reduce((a, r) => a + r.purchases, 0))} paid purchases`],
      ["Conversion", (purchases.conversionRate * 100).toFixed(1) + "%", `${num(purchases.completed)} of ${num(purchases.checkoutsStarted)} checkouts`],
    ];
    $("kpis").innerHTML = cards.map(([l, v, s]) => `<div class="kpi"><div class="label">${esc(l)}</div><div class="value" data-kpi="${esc(l)}">${esc(v)}</div><div class="sub">${esc(s)}</div></div>`).join("");
  }

  async function ledger(user) {
    if (!user) return;
    $("ledger").innerHTML = "Loading…";
    try {
      const page = await get(`/users/${encodeURIComponent(user)}/transactions?pageSize=20`);
      $("ledger").innerHTML = `<p>${esc(user)}: ${num(page.totalCount)} entries</p><table><tr><th>When (UTC)</th><th>Type</th><th>Description</th><th class="n">Amount</th><th class="n">Balance</th></tr>` +
        page.items.map((t) => `<tr><td>${esc(t.createdAt.slice(0, 16).replace("T", " "))}</td><td>${esc(t.type)}</td><td>${esc(t.description)}</td><td class="n">${t.amount > 0 ? "+" : ""}${num(t.amount)}</td><td class="n">${num(t.balanceAfter)}</td></tr>`).join("") + "</table>";
    } catch (e) { $("ledger").innerHTML = `<p class="error">${esc(e.message)}</p>`; }
  }

  // The team view: wallet, members (spend this period from their counters, credits bought for the team), spend per
  // feature, credits in/out over time and each member's spend over time (usage rows name the member).
  async function team(id) {
    if (!id) return;
    const p = params(), box = $("team");
    box.innerHTML = "Loading…";
    try {
      const r = await get(`/teams/${encodeURIComponent(id)}/activity?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}&bucket=${p.bucket}`);
      const limit = (m) => m.effectiveLimit === null || m.effectiveLimit === undefined ? "no limit" : num(m.effectiveLimit);
      box.innerHTML = `<p data-team-balance="${r.balance}"><strong>${esc(r.team.name)}</strong> (${esc(r.team.id)}, ${esc(r.team.status)}): ${num(r.balance)} credits, ${num(r.available)} spendable</p>` +
        `<table id="team-members"><tr><th>Member</th><th>Role</th><th class="n">Spent this period</th><th class="n">Limit</th><th class="n">Bought for the team</th></tr>` +
        r.members.map((m) => `<tr><td>${esc(m.userId)}</td><td>${esc(m.role || "former member")}</td><td class="n">${num(m.spentThisPeriod)}</td><td class="n">${limit(m)}</td><td class="n">${num(m.creditsBought)} (${num(m.purchases)})</td></tr>`).join("") + "</table>" +
        (r.seriesCut ? '<p class="sub">The range holds more rows than a report reads; the charts stop there.</p>' : "");
      stackedBars($("team-chart"), $("team-legend"), r.series.flatMap((x) => [{ start: x.start, key: "in", v: x.creditsIn }, { start: x.start, key: "out", v: x.creditsOut }]),
        (x) => x.key, (x) => x.v, (v) => num(Math.round(v)), p.bucket);
      stackedBars($("team-member-chart"), $("team-member-legend"), r.memberSeries, (x) => x.userId, (x) => x.credits, (v) => num(Math.round(v)), p.bucket);
      bars($("team-features"), r.features.map((f, i) => ({ label: `${f.feature} / ${f.model}`, value: f.credits, color: palette[i % palette.length], text: `${num(f.credits)} cr · ${num(f.uses)} uses` })));
      box.dataset.ready = "true";
    } catch (e) { box.innerHTML = `<p class="error">${esc(e.message)}</p>`; }
  }

  async function load() {
    const p = params();
    const form = $("range");
    form.from.value = p.from.slice(0, 10); form.to.value = p.to.slice(0, 10); form.bucket.value = p.bucket;
    const q = `from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`;
    try {
      const [usage, purchases, top, split, referrals] = await Promise.all([
        get(`/analytics/usage?${q}&bucket=${p.bucket}`), get(`/analytics/purchases?${q}&bucket=${p.bucket}`),
        get(`/analytics/top-users?${q}&limit=10`), get(`/analytics/consumption?${q}`), get(`/analytics/referrals?${q}`)]);
      const bucket = String(usage.range.bucket).toLowerCase() || p.bucket; // enum names: "Hour", "Day", "Week", "Month"
      kpis(usage, purchases, split);
      stackedBars($("usage-chart"), $("usage-legend"), usage.series, (x) => `${x.feature} / ${x.model}`, (x) => x.credits, (v) => num(Math.round(v)), bucket);
      stackedBars($("revenue-chart"), $("revenue-legend"), purchases.series, (x) => `${x.packageId} (${x.currency.toUpperCase()})`, (x) => x.amountCents, (v) => num(Math.round(v / 100)), bucket, 460);
      const funnel = [["Checkouts started", purchases.checkoutsStarted, "#64748b"], ["Completed", purchases.completed, "#10b981"], ["Pending", purchases.pending, "#f59e0b"],
        ["Failed", purchases.failed, "#ef4444"], ["Expired", purchases.expired, "#94a3b8"], ["Refunded", purchases.refunded, "#8b5cf6"]];
      bars($("funnel"), funnel.map(([label, value, color]) => ({ label, value, color, text: num(value) })));
      const referralSteps = [["Codes created", referrals.codesCreated, "#64748b"], ["Attached", referrals.attached, "#3b82f6"], ["Qualified", referrals.qualified, "#f59e0b"],
        ["Rewarded", referrals.rewarded, "#10b981"], ["Clawed back", referrals.clawedBack, "#ef4444"]];
      bars($("referrals"), referralSteps.map(([label, value, color]) => ({ label, value, color, text: num(value) })));
      bars($("packages"), purchases.packages.map((x) => ({ label: `${x.packageId} (${x.currency.toUpperCase()})`, value: x.purchases, text: `${num(x.purchases)} · ${x.amountCents ? money(x.amountCents, x.currency) : "free"}` })));
      bars($("features"), usage.features.map((f, i) => ({ label: `${f.feature} / ${f.model}`, value: f.credits, color: palette[i % palette.length], text: `${num(f.credits)} cr · ${num(f.uses)} uses` + (f.unlimitedUses ? ` (+${num(f.unlimitedUses)} admin)` : "") })));
      $("top-users").innerHTML = "<tr><th>User</th><th class=\"n\">Uses</th><th class=\"n\">Credits</th></tr>" +
        (top.map((u) => `<tr><td>${u.userId.startsWith("mf:team:") ? `<a data-team="${esc(u.userId.slice(8))}">team ${esc(u.userId.slice(8))}</a>` : `<a data-user="${esc(u.userId)}">${esc(u.displayName || u.email || u.userId)}</a>`}</td><td class="n">${num(u.uses)}</td><td class="n">${num(u.credits)}</td></tr>`).join("") || '<tr><td colspan="3" class="empty">No usage in this range.</td></tr>');
      if (top.length) { $("ledger-form").user.value = top[0].userId; await ledger(top[0].userId); }
      const teamId = new URLSearchParams(location.search).get("team");
      if (teamId) { $("team-form").team.value = teamId; await team(teamId); }
      document.body.dataset.ready = "true";
    } catch (e) {
      $("kpis").innerHTML = `<p class="error">${esc(e.message)}</p>`;
      document.body.dataset.ready = "error";
    }
  }

  $("range").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = e.target, q = new URLSearchParams({ from: f.from.value + "T00:00:00Z", to: f.to.value + "T00:00:00Z", bucket: f.bucket.value });
    location.search = q.toString();
  });
  $("ledger-form").addEventListener("submit", (e) => { e.preventDefault(); ledger(e.target.user.value.trim()); });
  $("top-users").addEventListener("click", (e) => {
    const d = e.target.dataset || {};
    if (d.user) { $("ledger-form").user.value = d.user; ledger(d.user); }
    if (d.team) { $("team-form").team.value = d.team; team(d.team); }
  });
  $("team-form").addEventListener("submit", (e) => { e.preventDefault(); team(e.target.team.value.trim()); });
  load();
})();

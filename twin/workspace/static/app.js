// The local workspace page: who you are, where you are, what you see, and what you do.
// It asks /workspace/api/state once, then long-polls /workspace/api/changes (which answers as
// soon as the twin changes) and redraws only what changed.
"use strict";

(function () {
  const $ = (selector, root) => (root || document).querySelector(selector);
  const esc = BlockKit.escapeHtml;
  // Between two asks for changes, at least; longer while the clock moves (a day's move sends
  // hundreds of reminders, and every answer reads the channel under the twin's lock).
  const POLL_GAP_MS = 250;
  const POLL_GAP_MOVING_MS = 1000;

  const S = {
    viewer: null,
    view: null,        // {kind: "channel", id} or {kind: "app", tab: "home" | "messages"}
    thread: null,      // ts of the open thread
    version: 0,
    directory: null,
    messages: new Map(),
    ephemerals: [],
    ephemeralKey: "",
    threadData: null,
    threadKey: "",
    modal: null,
    modalKey: null,
    modalValues: {},
    modalErrors: {},
    home: null,
    homeKey: "",
    dm: null,
    channels: {},
    seen: {},
    clock: null,
    clockAt: 0,
    generation: 0,
    abort: null,
    older: 0,          // messages of the channel older than those loaded (fetched on scroll up)
    fetchingOlder: null,
    problemsSeen: 0,
  };

  // ---- helpers -----------------------------------------------------------------------------

  async function api(path, body, signal) {
    const options = body === undefined ? { signal } : {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), signal,
    };
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }

  function person(id) {
    return (S.directory ? S.directory.people : []).find((p) => p.id === id);
  }

  function now() {
    if (!S.clock) return Date.now() / 1000;
    return S.clock.now + (Date.now() / 1000 - S.clockAt);
  }

  function ctx(surface, extra) {
    const viewer = person(S.viewer);
    return Object.assign({
      users: S.directory ? S.directory.users : {},
      channelNames: S.directory ? S.directory.channel_names : {},
      tz: viewer ? viewer.tz : "UTC",
      now,
      surface,
    }, extra || {});
  }

  function currentChannel() {
    if (!S.view) return null;
    if (S.view.kind === "channel") return S.view.id;
    if (S.view.kind === "app" && S.view.tab === "messages") return S.dm;
    return null;
  }

  function channelName(id) {
    const found = S.directory && S.directory.channels.find((c) => c.id === id);
    return found ? found.name : id;
  }

  function timeOf(epoch) {
    if (!epoch) return "";
    return BlockKit.formatDate(epoch, "{time}", ctx("message"));
  }

  function dayOf(epoch) {
    return BlockKit.formatDate(epoch, "{day_divider_pretty}", ctx("message"));
  }

  function domId(prefix, ts) {
    return `${prefix}-${String(ts).replace(".", "-")}`;
  }

  function notice(text, kind) {
    const box = $("#notice");
    const item = document.createElement("div");
    item.className = `notice ${kind || "error"}`;
    item.setAttribute("role", "status");
    item.textContent = text;
    box.appendChild(item);
    setTimeout(() => item.remove(), 8000);
  }

  function saveLocation() {
    const where = S.view.kind === "channel" ? S.view.id : `app/${S.view.tab}`;
    const hash = `#/${S.viewer}/${where}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  function readLocation() {
    const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
    return {
      viewer: parts[0] || null,
      view: parts[1] === "app" ? { kind: "app", tab: parts[2] === "messages" ? "messages" : "home" }
        : parts[1] ? { kind: "channel", id: parts[1] } : null,
    };
  }

  // ---- drawing -----------------------------------------------------------------------------

  function messageHtml(message, channel, inThread) {
    const app = S.directory.app;
    const fromApp = message.bot_id || message.user === app.bot_user_id;
    const author = fromApp ? app.name
      : ((S.directory.users[message.user] || {}).real_name || message.user || "someone");
    const blocks = message.blocks && message.blocks.length
      ? BlockKit.render(message.blocks, ctx("message"))
      : `<div class="bk-text-body">${BlockKit.mrkdwn(message.text, ctx("message"))}</div>`;
    const attachments = attachmentsHtml(message.attachments);
    // A shared file (files.completeUploadExternal): images are shown, other files named.
    const files = (message.files || []).map((f) => (f.mimetype || "").startsWith("image/")
      ? `<img class="bk-image msg-file" src="workspace/api/files/${encodeURIComponent(f.id)}" alt="${esc(f.alt_txt || f.title || f.name)}" title="${esc(f.title || f.name)}">`
      : `<div class="msg-file">${esc(f.title || f.name)}</div>`).join("");
    const replies = !inThread && message.reply_count
      ? `<button type="button" class="thread-link" data-thread="${esc(message.ts)}">${message.reply_count} ${message.reply_count === 1 ? "reply" : "replies"}</button>`
      : "";
    const edited = message.edited ? '<span class="edited">(edited)</span>' : "";
    const broadcast = message.broadcast && !inThread
      ? `<button type="button" class="link replied" data-thread="${esc(message.thread_ts)}">replied to a thread</button>` : "";
    return `<div class="msg" id="${domId(inThread ? "r" : "m", message.ts)}" data-ts="${esc(message.ts)}" data-surface="message" data-channel="${esc(channel)}">
      <div class="avatar${fromApp ? " app" : ""}" aria-hidden="true">${esc(author.slice(0, 2))}</div>
      <div class="msg-body"><div class="msg-meta"><b class="author">${esc(author)}</b>${fromApp ? '<span class="app-badge">APP</span>' : ""}<span class="time" title="${message.posted_at ? esc(dayOf(message.posted_at)) : ""}">${esc(timeOf(message.posted_at))}</span>${edited}${broadcast}</div>
      <div class="msg-blocks">${blocks}${attachments}${files}</div>${replies}</div></div>`;
  }

  // Attachments with blocks (where Slack takes a table) are drawn as Slack draws them, under
  // the message with a bar at the left; legacy attachments without blocks are not.
  function attachmentsHtml(attachments) {
    return (attachments || []).map((attachment) => attachment && attachment.blocks
      ? `<div class="msg-attachment">${BlockKit.render(attachment.blocks, ctx("message"))}</div>`
      : BlockKit.cannotShow("attachment")).join("");
  }

  function ephemeralHtml(item) {
    const app = S.directory.app;
    const blocks = (item.blocks && item.blocks.length
      ? BlockKit.render(item.blocks, ctx("message"))
      : `<div class="bk-text-body">${BlockKit.mrkdwn(item.text, ctx("message"))}</div>`)
      + attachmentsHtml(item.attachments);
    return `<div class="msg ephemeral" id="${domId("e", item.message_ts)}" data-ts="${esc(item.message_ts)}" data-surface="ephemeral">
      <div class="avatar app" aria-hidden="true">${esc(app.name.slice(0, 2))}</div>
      <div class="msg-body"><div class="msg-meta"><b class="author">${esc(app.name)}</b><span class="app-badge">APP</span><span class="time">${esc(timeOf(item.posted_at))}</span><span class="only-you">Only visible to you</span><button type="button" class="link dismiss" data-dismiss="${esc(item.message_ts)}">Dismiss</button></div>
      <div class="msg-blocks">${blocks}</div></div></div>`;
  }

  function renderSidebar() {
    const d = S.directory;
    const here = S.view || {};
    const items = d.channels.map((c) => {
      const info = S.channels[c.id] || { messages: 0, version: 0 };
      const seen = S.seen[`${S.viewer}/${c.id}`] || 0;
      const unread = info.version > seen && !(here.kind === "channel" && here.id === c.id);
      const active = here.kind === "channel" && here.id === c.id ? " active" : "";
      return `<button type="button" class="nav-item${active}${unread ? " unread" : ""}" data-nav-channel="${esc(c.id)}" title="${esc(c.purpose)}"><span class="hash">#</span>${esc(c.name)}<span class="count">${info.messages}</span></button>`;
    }).join("");
    const appActive = here.kind === "app" ? " active" : "";
    const dmInfo = S.channels[S.dm] || { version: 0 };
    const dmUnread = dmInfo.version > (S.seen[`${S.viewer}/${S.dm}`] || 0) && !appActive;
    $("#sidebar").innerHTML = `<div class="team">${esc(d.team)}</div>
      <div class="section-title">Channels</div>${items}
      <div class="section-title">Apps</div>
      <button type="button" class="nav-item${appActive}${dmUnread ? " unread" : ""}" data-nav-app="home"><span class="app-dot">rd</span>${esc(d.app.name)}</button>
      <div class="notes">${d.notes.map((n) => `<p>${esc(n)}</p>`).join("")}${d.samples.length ? `<p>Loaded at first start: ${esc(d.samples.join(", "))}.</p>` : ""}</div>`;
  }

  function renderPeople() {
    const select = $("#person");
    select.innerHTML = S.directory.people.map((p) =>
      `<option value="${esc(p.id)}"${p.id === S.viewer ? " selected" : ""}>${esc(p.name)} — ${esc(p.role)}</option>`).join("");
    const viewer = person(S.viewer);
    select.title = viewer ? `${viewer.name} — ${viewer.role}` : "";
  }

  function renderClock() {
    const box = $("#clock-now");
    if (!S.clock) {
      $("#clock").hidden = true;
      return;
    }
    const c = ctx("message");
    const shown = clockText(now(), c);
    const ahead = S.clock.ahead_by;
    let aheadText = "real time";
    if (ahead >= 60) {
      const days = Math.floor(ahead / 86400);
      const hours = Math.floor((ahead % 86400) / 3600);
      const minutes = Math.floor((ahead % 3600) / 60);
      aheadText = `${days ? `${days} d ` : ""}${hours ? `${hours} h ` : ""}${!days && minutes ? `${minutes} min ` : ""}ahead`.trim();
    }
    // The time zone and what is next in full are in the titles: the bar fits 1024 px.
    box.textContent = shown;
    box.title = `The bot's clock, shown in ${c.tz}`;
    // While it moves, it says so: a day's move stops at every reminder on the way.
    $("#clock-ahead").textContent = S.clock.moving ? "moving…" : aheadText;
    const next = $("#clock-next");
    next.textContent = S.clock.next
      ? `Next: ${S.clock.next_what} ${clockText(S.clock.next, c)}`
      : "Nothing due";
    next.title = next.textContent;
  }

  // A moment of the bot's clock as the bar shows it: "Today 6:44 AM" on the person's own
  // today, else with its weekday ("Tue, Dec 8 6:44 AM"): "today" means the real day, not the
  // moved clock's, which would always be "today".
  function clockText(epoch, c) {
    const time = BlockKit.formatDate(epoch, "{time}", c);
    const realToday = BlockKit.formatDate(Date.now() / 1000, "{date_num}", c);
    if (BlockKit.formatDate(epoch, "{date_num}", c) === realToday) return `Today ${time}`;
    const day = new Intl.DateTimeFormat("en-US", {
      timeZone: c.tz, weekday: "short", month: "short", day: "numeric",
    }).format(new Date(epoch * 1000));
    return `${day} ${time}`;
  }

  function header() {
    const h = $("#channel-header");
    if (S.view.kind === "channel") {
      const c = S.directory.channels.find((x) => x.id === S.view.id) || { name: S.view.id, purpose: "" };
      h.innerHTML = `<h1><span class="hash">#</span>${esc(c.name)}</h1><span class="purpose">${esc(c.purpose)}</span>`;
    } else {
      const tab = S.view.tab;
      h.innerHTML = `<h1>${esc(S.directory.app.name)}</h1><nav class="tabs" role="tablist">
        <button type="button" role="tab" class="tab${tab === "home" ? " active" : ""}" data-nav-app="home" aria-selected="${tab === "home"}">Home</button>
        <button type="button" role="tab" class="tab${tab === "messages" ? " active" : ""}" data-nav-app="messages" aria-selected="${tab === "messages"}">Messages</button></nav>`;
    }
  }

  function sortedMessages() {
    return [...S.messages.values()].sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  function olderButton() {
    return S.older
      ? `<button type="button" class="older" data-older>${S.older} older ${S.older === 1 ? "message" : "messages"}: show them</button>` : "";
  }

  function watchOlder() {
    const box = $("#messages");
    const button = $("[data-older]", box);
    if (!button || !("IntersectionObserver" in window)) return;
    const watch = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        watch.disconnect();
        showOlder().catch((error) => notice(error.message));
      }
    }, { root: box });
    setTimeout(() => watch.observe(button), 200);  // not while the page is first drawn
  }

  function renderMessages() {
    const box = $("#messages");
    const channel = currentChannel();
    if (S.view.kind === "app" && S.view.tab === "home") {
      renderHome();
      return;
    }
    const items = sortedMessages().map((m) => messageHtml(m, channel, false));
    box.innerHTML = items.length ? olderButton() + items.join("")
      : `<div class="empty">${S.view.kind === "app"
        ? `No messages from ${esc(S.directory.app.name)} yet.`
        : `No messages in #${esc(channelName(channel))} yet.`}</div>`;
    placeEphemerals();
    box.scrollTop = box.scrollHeight;
    watchOlder();
  }

  // The next page of older messages, drawn above the others without moving what is in view.
  function showOlder() {
    if (S.fetchingOlder) return S.fetchingOlder;
    const oldest = sortedMessages()[0];
    const channel = currentChannel();
    if (!S.older || !oldest || !channel) return Promise.resolve();
    const generation = S.generation;
    const params = new URLSearchParams({ viewer: S.viewer, channel, before: oldest.ts });
    S.fetchingOlder = api(`/workspace/api/history?${params}`).then((data) => {
      if (generation !== S.generation) return;
      const box = $("#messages");
      const fromBottom = box.scrollHeight - box.scrollTop;
      for (const message of data.messages) S.messages.set(message.ts, message);
      S.older = data.older;
      const button = $("[data-older]", box);
      const html = olderButton() + data.messages.map((m) => messageHtml(m, channel, false)).join("");
      if (button) button.remove();
      box.insertAdjacentHTML("afterbegin", html);
      box.scrollTop = box.scrollHeight - fromBottom;
      watchOlder();
    }).finally(() => { S.fetchingOlder = null; });
    return S.fetchingOlder;
  }

  // Load and draw enough of the history that the message `ts` is on the page.
  async function reveal(ts) {
    while (!S.messages.has(ts) && S.older) {
      const before = S.older;
      await showOlder();
      if (S.older === before) break;
    }
    return document.getElementById(domId("m", ts));
  }

  function renderHome() {
    const box = $("#messages");
    S.homeKey = JSON.stringify(S.home);
    if (!S.home) {
      box.innerHTML = `<div class="empty home-empty">${esc(S.directory.app.name)} has no Home tab yet: the app has not published one (views.publish) for ${esc(person(S.viewer).name)}.</div>`;
      return;
    }
    box.innerHTML = `<div class="home" data-surface="home">${BlockKit.render(S.home.blocks || [], ctx("home"))}</div>`;
  }

  function nearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  function insertSorted(box, html, ts) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const node = template.content.firstChild;
    const children = box.querySelectorAll(":scope > .msg");
    let before = null;
    for (let i = children.length - 1; i >= 0; i--) {
      if (Number(children[i].dataset.ts) > Number(ts)) before = children[i];
      else break;
    }
    const empty = $(".empty", box);
    if (empty) empty.remove();
    box.insertBefore(node, before);
  }

  function upsertMessage(message) {
    const box = $("#messages");
    const channel = currentChannel();
    const html = messageHtml(message, channel, false);
    const existing = document.getElementById(domId("m", message.ts));
    if (existing) {
      const template = document.createElement("template");
      template.innerHTML = html.trim();
      existing.replaceWith(template.content.firstChild);
      return;
    }
    const stick = nearBottom(box);
    insertSorted(box, html, message.ts);
    if (stick) box.scrollTop = box.scrollHeight;
  }

  function placeEphemerals() {
    const box = $("#messages");
    box.querySelectorAll(":scope > .ephemeral").forEach((node) => node.remove());
    const channel = currentChannel();
    if (!channel || (S.view.kind === "app" && S.view.tab === "home")) return;
    const stick = nearBottom(box);
    for (const item of S.ephemerals) {
      if (item.channel === channel && !item.thread_ts) insertSorted(box, ephemeralHtml(item), item.message_ts);
    }
    if (stick) box.scrollTop = box.scrollHeight;
  }

  function renderThread() {
    const pane = $("#thread");
    const data = S.threadData;
    S.threadKey = JSON.stringify(data) + JSON.stringify(S.ephemerals);
    if (!S.thread || !data) {
      pane.hidden = true;
      pane.innerHTML = "";
      return;
    }
    const own = S.ephemerals.filter((e) => e.channel === data.channel && e.thread_ts === S.thread);
    const replies = data.replies.map((m) => messageHtml(m, data.channel, true));
    pane.hidden = false;
    pane.innerHTML = `<header class="thread-head"><div><h2>Thread</h2><span class="purpose">#${esc(channelName(data.channel))}</span></div><button type="button" class="modal-x" data-close-thread aria-label="Close thread">×</button></header>
      <div class="thread-body">${messageHtml(data.parent, data.channel, true)}<div class="reply-count">${data.replies.length} ${data.replies.length === 1 ? "reply" : "replies"}</div>${replies.join("")}${own.map(ephemeralHtml).join("")}</div>`;
    const body = $(".thread-body", pane);
    body.scrollTop = body.scrollHeight;
  }

  function captureModalValues() {
    const modal = $("#modal-layer .modal");
    if (!modal) return;
    modal.querySelectorAll(".bk-input [data-action-id]").forEach((el) => {
      S.modalValues[`${el.dataset.blockId}/${el.dataset.actionId}`] = el.value;
    });
  }

  // keepErrors: redraw with the errors the app (or the page's own checks) just gave.
  function renderModal(keepErrors) {
    const layer = $("#modal-layer");
    const view = S.modal;
    if (!view) {
      layer.hidden = true;
      layer.innerHTML = "";
      S.modalKey = null;
      S.modalValues = {};
      S.modalErrors = {};
      return;
    }
    const key = `${view.id}/${view.hash}`;
    if (key === S.modalKey && !keepErrors) return;
    const sameView = S.modalKey && S.modalKey.split("/")[0] === view.id;
    if (sameView) captureModalValues(); // Slack keeps what was typed in inputs whose ids stay
    else S.modalValues = {};
    if (!keepErrors) S.modalErrors = {};
    S.modalKey = key;
    const body = BlockKit.render(view.blocks || [],
      ctx("modal", { errors: S.modalErrors, values: S.modalValues }));
    const submit = view.submit
      ? `<button type="button" class="btn btn-primary" data-modal="submit">${BlockKit.plainText(view.submit)}</button>` : "";
    layer.hidden = false;
    layer.innerHTML = `<div class="modal-backdrop"><div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" data-surface="view" data-view-id="${esc(view.id)}">
      <header class="modal-head"><h2 id="modal-title">${BlockKit.plainText(view.title)}</h2><button type="button" class="modal-x" data-modal="close" aria-label="Close">×</button></header>
      <div class="modal-body">${body}</div>
      <footer class="modal-foot"><button type="button" class="btn" data-modal="close">${view.close ? BlockKit.plainText(view.close) : "Cancel"}</button>${submit}</footer></div></div>`;
    const first = $(".modal-body textarea, .modal-body input", layer);
    if (first && !sameView) first.focus();
  }

  function renderAll() {
    renderPeople();
    renderSidebar();
    header();
    renderMessages();
    renderThread();
    renderModal(false);
    renderClock();
    const channel = currentChannel();
    const input = $("#composer-input");
    const home = S.view.kind === "app" && S.view.tab === "home";
    $("#composer").hidden = home;
    input.placeholder = channel
      ? `Message ${S.view.kind === "app" ? S.directory.app.name : `#${channelName(channel)}`} — only slash commands reach the app: try ${S.directory.command} open`
      : "";
  }

  // ---- loading and long-polling --------------------------------------------------------------

  function absorb(data, full) {
    S.version = data.version;
    if (data.directory) S.directory = data.directory;
    if (data.dm_channel) S.dm = data.dm_channel;
    if (data.channels) S.channels = data.channels;
    for (const problem of data.problems || []) {
      if (problem.n > S.problemsSeen) {
        S.problemsSeen = problem.n;
        if (!full) notice(`Slack would refuse or show broken what the app sent (${problem.method}): ${problem.problems.join("; ")}`);
      }
    }
    if (data.clock !== undefined) {
      S.clock = data.clock;
      S.clockAt = Date.now() / 1000;
    }
    if (full) {
      S.messages = new Map();
      S.older = data.older || 0;
    }
    const oldest = full || !S.older ? null : sortedMessages()[0];
    const changed = [];
    for (const message of data.messages || []) {
      // A change to a message older than those loaded shows when the person scrolls up.
      if (oldest && Number(message.ts) < Number(oldest.ts)) continue;
      S.messages.set(message.ts, message);
      changed.push(message);
    }
    for (const ts of data.removed || []) S.messages.delete(ts);
    const channel = currentChannel();
    if (channel) S.seen[`${S.viewer}/${channel}`] = (S.channels[channel] || {}).version || 0;
    return changed;
  }

  async function load() {
    const generation = ++S.generation;
    if (S.abort) S.abort.abort();
    S.abort = new AbortController();
    const channel = S.view && S.view.kind === "channel" ? S.view.id
      : (S.view && S.view.kind === "app" && S.view.tab === "messages" ? S.dm : null);
    const params = new URLSearchParams({ viewer: S.viewer || "" });
    if (channel) params.set("channel", channel);
    if (S.thread) params.set("thread", S.thread);
    const data = await api(`/workspace/api/state?${params}`, undefined, S.abort.signal);
    if (generation !== S.generation) return;
    absorb(data, true);
    S.ephemerals = data.ephemerals || [];
    S.ephemeralKey = JSON.stringify(S.ephemerals);
    S.threadData = data.thread || null;
    S.modal = data.modal || null;
    S.home = data.home || null;
    renderAll();
    document.body.dataset.ready = "1";
    poll(generation);
  }

  async function poll(generation) {
    let asked = 0;
    while (generation === S.generation) {
      // A burst of changes is shown a few times a second, not once a message: each answer
      // reads the channel under the twin's lock, which the bot's own sends wait for.
      const moving = S.clock && S.clock.moving;
      const gap = asked + (moving ? POLL_GAP_MOVING_MS : POLL_GAP_MS) - Date.now();
      if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
      if (generation !== S.generation) return;
      asked = Date.now();
      const params = new URLSearchParams({ viewer: S.viewer, since: String(S.version) });
      const channel = currentChannel();
      if (channel) params.set("channel", channel);
      if (S.thread) params.set("thread", S.thread);
      let data;
      try {
        data = await api(`/workspace/api/changes?${params}`, undefined, S.abort.signal);
      } catch (error) {
        if (generation !== S.generation) return;
        $("#offline").hidden = false;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      $("#offline").hidden = true;
      if (generation !== S.generation) return;
      apply(data);
      if (data.retry_after) await new Promise((r) => setTimeout(r, data.retry_after * 1000));
    }
  }

  function apply(data) {
    const before = S.version;
    const changed = absorb(data, false);
    if (S.view.kind === "app" && S.view.tab === "home") {
      S.home = data.home || null;
      if (JSON.stringify(S.home) !== S.homeKey) renderHome();
    } else {
      for (const message of changed) upsertMessage(message);
      for (const ts of data.removed || []) {
        const node = document.getElementById(domId("m", ts));
        if (node) node.remove();
      }
    }
    const ephemerals = data.ephemerals || [];
    const ephemeralKey = JSON.stringify(ephemerals);
    if (ephemeralKey !== S.ephemeralKey) {
      S.ephemerals = ephemerals;
      S.ephemeralKey = ephemeralKey;
      placeEphemerals();
    }
    S.threadData = data.thread || null;
    if (S.thread && JSON.stringify(S.threadData) + JSON.stringify(S.ephemerals) !== S.threadKey) renderThread();
    S.modal = data.modal || null;
    renderModal(false);
    if (data.version !== before) renderSidebar();
    renderClock();
  }

  // ---- what people do ----------------------------------------------------------------------

  function whereOf(node) {
    const surface = node.closest("[data-surface]");
    if (!surface) return null;
    switch (surface.dataset.surface) {
      case "message": return { kind: "message", channel: surface.dataset.channel, ts: surface.dataset.ts };
      case "ephemeral": return { kind: "ephemeral", ts: surface.dataset.ts };
      case "view": return { kind: "view", view_id: surface.dataset.viewId };
      case "home": return { kind: "home" };
      default: return null;
    }
  }

  function collectValues(modal) {
    const values = {};
    modal.querySelectorAll(".bk-input").forEach((input) => {
      const el = input.querySelector("[data-action-id]");
      if (!el) return;
      const block = el.dataset.blockId;
      const action = el.dataset.actionId;
      values[block] = values[block] || {};
      if (el.dataset.kind === "checkboxes") {
        values[block][action] = {
          type: "checkboxes",
          selected_options: Array.from(el.querySelectorAll("input:checked")).map((box) => ({
            text: { type: "plain_text", text: box.parentElement.textContent.trim(), emoji: true },
            value: box.value,
          })),
        };
      } else if (el.tagName === "SELECT") {
        const option = el.selectedOptions[0];
        values[block][action] = {
          type: "static_select",
          selected_option: el.value ? { text: { type: "plain_text", text: option.textContent, emoji: true }, value: el.value } : null,
        };
      } else {
        values[block][action] = { type: "plain_text_input", value: el.value === "" ? null : el.value };
      }
    });
    return values;
  }

  // What Slack's client checks before it sends a submission.
  function clientErrors(modal) {
    const errors = {};
    modal.querySelectorAll(".bk-input").forEach((input) => {
      const el = input.querySelector("[data-action-id]");
      if (!el) return;
      const block = el.dataset.blockId;
      const value = el.dataset.kind === "checkboxes"
        ? (el.querySelector("input:checked") ? "ticked" : "") : (el.value || "");
      if (!input.dataset.optional && !value) errors[block] = "Please complete this required field.";
      else if (el.dataset.max && value.length > Number(el.dataset.max)) errors[block] = `Must be ${el.dataset.max} characters or fewer (now ${value.length}).`;
      else if (el.dataset.min && value && value.length < Number(el.dataset.min)) errors[block] = `Must be at least ${el.dataset.min} characters.`;
    });
    return errors;
  }

  async function act(node, option) {
    const where = whereOf(node);
    if (!where) return;
    const body = {
      viewer: S.viewer, where,
      block_id: node.dataset.blockId, action_id: node.dataset.actionId,
    };
    if (option !== undefined) body.option = option;
    if (where.kind === "view") body.state = collectValues(node.closest(".modal"));
    node.classList.add("busy");
    node.setAttribute("aria-busy", "true");
    try {
      const result = await api("/workspace/api/act", body);
      if (result.error) notice(result.error);
    } catch (error) {
      notice(`Not sent: ${error.message}`);
    } finally {
      node.classList.remove("busy");
      node.removeAttribute("aria-busy");
    }
  }

  function confirmThen(node, proceed) {
    if (!node.dataset.confirm) {
      proceed();
      return;
    }
    const c = JSON.parse(node.dataset.confirm);
    const layer = $("#confirm-layer");
    layer.hidden = false;
    layer.innerHTML = `<div class="modal-backdrop"><div class="modal confirm" role="alertdialog" aria-modal="true">
      <header class="modal-head"><h2>${BlockKit.plainText(c.title)}</h2></header>
      <div class="modal-body">${c.text ? (c.text.type === "mrkdwn" ? BlockKit.mrkdwn(c.text.text, ctx("modal")) : BlockKit.plainText(c.text)) : ""}</div>
      <footer class="modal-foot"><button type="button" class="btn" data-confirm-answer="no">${BlockKit.plainText(c.deny || { text: "Cancel" })}</button><button type="button" class="btn ${c.style === "danger" ? "btn-danger" : "btn-primary"}" data-confirm-answer="yes">${BlockKit.plainText(c.confirm || { text: "Yes" })}</button></footer></div></div>`;
    layer.onclick = (event) => {
      const answer = event.target.closest("[data-confirm-answer]");
      if (!answer) return;
      layer.hidden = true;
      layer.innerHTML = "";
      if (answer.dataset.confirmAnswer === "yes") proceed();
    };
  }

  async function submitModal(modal) {
    const errors = clientErrors(modal);
    captureModalValues();
    if (Object.keys(errors).length) {
      S.modalErrors = errors;
      renderModal(true);
      return;
    }
    const button = $("[data-modal=submit]", modal);
    button.classList.add("busy");
    button.disabled = true;
    try {
      const result = await api("/workspace/api/submit", {
        viewer: S.viewer, view_id: modal.dataset.viewId, values: collectValues(modal),
      });
      if (result.outcome === "errors") {
        S.modalErrors = result.errors || {};
        renderModal(true);
      } else if (result.outcome === "closed") {
        S.modal = null;
        renderModal(false);
      }
      if (result.error) notice(result.error);
    } catch (error) {
      notice(`Not sent: ${error.message}`);
    } finally {
      button.classList.remove("busy");
      button.disabled = false;
    }
  }

  async function closeModal(modal) {
    try {
      await api("/workspace/api/close", { viewer: S.viewer, view_id: modal.dataset.viewId });
    } catch (error) {
      notice(error.message);
    }
    S.modal = null;
    renderModal(false);
  }

  function navigate(view, thread) {
    S.view = view;
    S.thread = thread || null;
    saveLocation();
    if (view.kind === "app") {
      return api("/workspace/api/app", { viewer: S.viewer, tab: view.tab })
        .then((answer) => { S.dm = answer.dm_channel; return load(); })
        .catch((error) => notice(error.message));
    }
    return load().catch((error) => notice(error.message));
  }

  document.addEventListener("click", (event) => {
    const target = event.target;
    const nav = target.closest("[data-nav-channel]");
    if (nav) return navigate({ kind: "channel", id: nav.dataset.navChannel });
    const app = target.closest("[data-nav-app]");
    if (app) return navigate({ kind: "app", tab: app.dataset.navApp });
    const link = target.closest(".channel-link, .permalink");
    if (link) {
      event.preventDefault();
      const channel = link.dataset.channel;
      if (S.directory.channels.some((c) => c.id === channel)) {
        navigate({ kind: "channel", id: channel }).then(async () => {
          const node = link.dataset.ts ? await reveal(link.dataset.ts) : null;
          if (node) { node.scrollIntoView({ block: "center" }); node.classList.add("flash"); }
        });
      } else {
        notice(`#${channelName(channel)} is not a channel of this workspace`);
      }
      return;
    }
    if (target.closest("[data-older]")) {
      showOlder().catch((error) => notice(error.message));
      return;
    }
    const thread = target.closest("[data-thread]");
    if (thread) return navigate(S.view, thread.dataset.thread);
    if (target.closest("[data-close-thread]")) return navigate(S.view, null);
    const dismiss = target.closest("[data-dismiss]");
    if (dismiss) {
      api("/workspace/api/dismiss", { viewer: S.viewer, ts: dismiss.dataset.dismiss })
        .catch((error) => notice(error.message));
      return;
    }
    const modalButton = target.closest("[data-modal]");
    if (modalButton) {
      const modal = modalButton.closest(".modal");
      if (modalButton.dataset.modal === "submit") submitModal(modal);
      else closeModal(modal);
      return;
    }
    const button = target.closest(".bk-button");
    if (button) {
      confirmThen(button, () => {
        if (button.dataset.url) window.open(button.dataset.url, "_blank", "noopener");
        act(button);
      });
      return;
    }
    const item = target.closest(".bk-overflow .menu-item");
    if (item) {
      const menu = item.closest(".bk-overflow");
      menu.open = false;
      confirmThen(menu, () => act(menu, item.dataset.option));
      return;
    }
    const step = target.closest("[data-step]");
    if (step) {
      step.disabled = true;
      api("/workspace/api/clock", { step: step.dataset.step })
        .then((answer) => { S.clock = answer.clock; S.clockAt = Date.now() / 1000; renderClock(); })
        .catch((error) => notice(error.message))
        .finally(() => { step.disabled = false; });
    }
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.id === "person") {
      S.viewer = target.value;
      S.thread = null;
      if (S.view.kind === "app") return navigate(S.view);
      saveLocation();
      load().catch((error) => notice(error.message));
      return;
    }
    if (target.matches("select.bk-select") && !target.classList.contains("bk-input-select")) {
      confirmThen(target, () => act(target, target.value));
    }
  });

  $("#composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("#composer-input");
    const text = input.value;
    if (!text.trim()) return;
    try {
      const result = await api("/workspace/api/command", { viewer: S.viewer, channel: currentChannel(), text });
      if (result.error) notice(result.error);
      else input.value = "";
    } catch (error) {
      notice(error.message);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && S.modal && $("#confirm-layer").hidden) {
      const modal = $("#modal-layer .modal");
      if (modal) closeModal(modal);
    }
  });

  setInterval(() => { if (S.directory) renderClock(); }, 30000);

  // ---- start -------------------------------------------------------------------------------

  async function start() {
    const wanted = readLocation();
    const directory = await api("/workspace/api/directory");
    S.directory = directory;
    S.viewer = directory.people.some((p) => p.id === wanted.viewer) ? wanted.viewer : directory.people[0].id;
    S.view = wanted.view || { kind: "channel", id: directory.channels[0].id };
    saveLocation();
    if (S.view.kind === "app") navigate(S.view);
    else await load();
  }

  start().catch((error) => notice(error.message));
})();

// Block Kit and mrkdwn as Slack shows them, rendered to HTML strings.
// BlockKit.render(blocks, ctx) -> html; BlockKit.mrkdwn(text, ctx) -> html.
// ctx: {users: {id: {name, real_name}}, channelNames: {id: name}, tz: "America/Chicago",
//       now: () => epoch seconds, errors: {block_id: message}, values: {"block/action": value},
//       surface: "message" | "modal" | "home"}
// Anything it cannot show becomes a visible "cannot show <type>" box, never nothing.
"use strict";

(function (global) {
  const EMOJI = {
    adult: "🧑", alarm_clock: "⏰", bulb: "💡", hourglass: "⌛", hourglass_flowing_sand: "⏳",
    inbox_tray: "📥", japanese_goblin: "👺", no_bell: "🔕", no_entry_sign: "🚫",
    pencil2: "✏️", raised_hand: "✋", red_circle: "🔴", rotating_light: "🚨", scales: "⚖️",
    see_no_evil: "🙈", shield: "🛡️", sparkles: "✨", speech_balloon: "💬",
    stethoscope: "🩺", telephone_receiver: "📞", warning: "⚠️", white_check_mark: "✅",
    heavy_minus_sign: "➖", outbox_tray: "📤", clipboard: "📋", no_entry: "⛔",
    grey_question: "❔", bar_chart: "📊", chart_with_upwards_trend: "📈",
    zzz: "💤", star: "⭐", tada: "🎉", wave: "👋", eyes: "👀", thumbsup: "👍", "+1": "👍",
    heavy_check_mark: "✔️", x: "❌", calendar: "📅", clock3: "🕒", bell: "🔔",
    memo: "📝", mag: "🔍", link: "🔗", lock: "🔒", envelope: "✉️", information_source: "ℹ️",
    large_green_circle: "🟢", large_yellow_circle: "🟡", large_orange_circle: "🟠",
    hospital: "🏥", busts_in_silhouette: "👥", bust_in_silhouette: "👤", pushpin: "📌",
    point_right: "👉", arrow_right: "➡️", fire: "🔥", heart: "❤️", slightly_smiling_face: "🙂",
    leftwards_arrow_with_hook: "↩️",
  };

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  const WEEKDAYS = { Sun: "Sunday", Mon: "Monday", Tue: "Tuesday", Wed: "Wednesday",
    Thu: "Thursday", Fri: "Friday", Sat: "Saturday" };

  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // Slack decodes only these three entities in mrkdwn.
  function decodeEntities(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function emojify(html) {
    return html.replace(/:([a-z0-9_+\-]+):/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(EMOJI, name)
        ? `<span class="emoji" title=":${name}:">${EMOJI[name]}</span>` : whole);
  }

  // ---- dates -------------------------------------------------------------------------------

  function zoned(epoch, tz) {
    const fields = {};
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, year: "numeric", month: "numeric", day: "numeric", weekday: "short",
      hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true,
    });
    for (const part of format.formatToParts(new Date(epoch * 1000))) fields[part.type] = part.value;
    return {
      year: Number(fields.year), month: Number(fields.month), day: Number(fields.day),
      weekday: WEEKDAYS[fields.weekday] || fields.weekday, hour: fields.hour,
      minute: fields.minute, second: fields.second, period: fields.dayPeriod,
    };
  }

  function ordinal(day) {
    const tens = day % 100;
    if (tens >= 11 && tens <= 13) return `${day}th`;
    return `${day}${({ 1: "st", 2: "nd", 3: "rd" })[day % 10] || "th"}`;
  }

  function dayDifference(a, b) {
    return Math.round((Date.UTC(a.year, a.month - 1, a.day) -
      Date.UTC(b.year, b.month - 1, b.day)) / 86400000);
  }

  function ago(seconds) {
    const past = seconds >= 0;
    const size = Math.abs(seconds);
    if (size < 60) return past ? "just now" : "in a few seconds";
    const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600],
      ["minute", 60]];
    for (const [unit, length] of units) {
      if (size >= length) {
        const count = Math.floor(size / length);
        const words = `${count} ${unit}${count === 1 ? "" : "s"}`;
        return past ? `${words} ago` : `in ${words}`;
      }
    }
    return "just now";
  }

  // <!date^1700000000^{date_short_pretty} at {time}|fallback>, in the viewer's time zone.
  function formatDate(epoch, format, ctx) {
    const tz = ctx.tz || "UTC";
    const at = zoned(epoch, tz);
    const today = zoned(ctx.now(), tz);
    const diff = dayDifference(at, today);
    const relative = { "0": "today", "-1": "yesterday", "1": "tomorrow" }[String(diff)];
    const pad = (n) => String(n).padStart(2, "0");
    const date = `${MONTHS[at.month - 1]} ${ordinal(at.day)}, ${at.year}`;
    const dateShort = `${MONTHS[at.month - 1].slice(0, 3)} ${at.day}, ${at.year}`;
    const dateLong = `${at.weekday}, ${date}`;
    const tokens = {
      date_num: `${at.year}-${pad(at.month)}-${pad(at.day)}`,
      date_slash: `${pad(at.day)}/${pad(at.month)}/${at.year}`,
      date: date,
      date_short: dateShort,
      date_long: dateLong,
      date_long_full: `${MONTHS[at.month - 1]} ${at.day}, ${at.year}`,
      date_pretty: relative || date,
      date_short_pretty: relative || dateShort,
      date_long_pretty: relative || dateLong,
      day_divider_pretty: relative ||
        (at.year === today.year ? `${at.weekday}, ${MONTHS[at.month - 1]} ${ordinal(at.day)}`
          : dateLong),
      time: `${at.hour}:${at.minute} ${at.period}`,
      time_secs: `${at.hour}:${at.minute}:${at.second} ${at.period}`,
      ago: ago(ctx.now() - epoch),
    };
    return format.replace(/\{([a-z_]+)\}/g, (whole, name, offset) => {
      if (!(name in tokens)) return whole;
      const value = tokens[name];
      return offset === 0 ? value.charAt(0).toUpperCase() + value.slice(1) : value;
    });
  }

  // ---- mrkdwn --------------------------------------------------------------------------------

  function userName(id, ctx) {
    const user = (ctx.users || {})[id];
    return user ? (user.real_name || user.name) : id;
  }

  function safeUrl(url) {
    return /^(https?:|mailto:)/i.test(url) ? url : null;
  }

  // One <…> token: a mention, a channel, a special, a date or a link.
  function token(inner, ctx) {
    const [target, ...rest] = inner.split("|");
    const label = rest.join("|");
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(
        (ctx.users || {})[id] ? userName(id, ctx) : decodeEntities(label) || id)}</span>`;
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const name = (ctx.channelNames || {})[id] || decodeEntities(label) || id;
      return `<a class="channel-link" href="#" data-channel="${escapeHtml(id)}">#${escapeHtml(name)}</a>`;
    }
    if (target.startsWith("!")) {
      const [kind, ...args] = target.slice(1).split("^");
      if (kind === "date") {
        const epoch = Number(args[0]);
        const fallback = decodeEntities(label);
        if (!args[0] || !Number.isFinite(epoch) || args.length < 2) {
          return `<span class="date bad-date" title="malformed date token">${escapeHtml(fallback || inner)}</span>`;
        }
        const shown = escapeHtml(formatDate(epoch, decodeEntities(args[1]), ctx));
        const link = args[2] ? safeUrl(decodeEntities(args[2])) : null;
        const title = escapeHtml(new Date(epoch * 1000).toISOString());
        return link
          ? `<a class="date" href="${escapeHtml(link)}" target="_blank" rel="noopener" title="${title}">${shown}</a>`
          : `<time class="date" datetime="${title}" title="${title}">${shown}</time>`;
      }
      if (["here", "channel", "everyone"].includes(kind)) {
        return `<span class="mention special">@${kind}</span>`;
      }
      if (kind === "subteam") {
        return `<span class="mention">${escapeHtml(decodeEntities(label) || "@group")}</span>`;
      }
      return `<span class="cannot-show">cannot show &lt;!${escapeHtml(kind)}&gt;</span>`;
    }
    const url = decodeEntities(target);
    const permalink = url.match(/\/archives\/([A-Z0-9_]+)\/p(\d{10})(\d{6})/);
    const text = escapeHtml(label ? decodeEntities(label) : url);
    if (permalink) {
      const ts = `${permalink[2]}.${permalink[3]}`;
      return `<a class="permalink" href="#" data-channel="${escapeHtml(permalink[1])}" data-ts="${ts}">${text}</a>`;
    }
    const safe = safeUrl(url);
    return safe
      ? `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${text}</a>`
      : text;
  }

  // Bold, italic, strike and code inside one line whose tokens are already placeholders.
  function inline(line, ctx) {
    const tokens = [];
    // \u0001-\u0004 mark placeholders below; text never needs them.
    let text = line.replace(/[\u0001-\u0004]/g, "").replace(/<([^<>\n]+)>/g, (whole, inner) => {
      tokens.push(token(inner, ctx));
      return `\u0001${tokens.length - 1}\u0002`;
    });
    // Slack links a bare address in text too.
    text = text.replace(/\bhttps?:\/\/[^\s<>\u0001\u0002]+[^\s<>.,;:!?)\u0001\u0002]/g, (url) => {
      tokens.push(token(url, ctx));
      return `\u0001${tokens.length - 1}\u0002`;
    });
    const codes = [];
    text = text.replace(/`([^`\n]+)`/g, (whole, code) => {
      codes.push(`<code>${escapeHtml(decodeEntities(code))}</code>`);
      return `\u0003${codes.length - 1}\u0004`;
    });
    let html = escapeHtml(decodeEntities(text));
    const styles = [["\\*", "b"], ["_", "i"], ["~", "s"]];
    for (const [mark, tag] of styles) {
      const pattern = new RegExp(
        `(^|[^\\w${mark}])${mark}(?=\\S)([^${mark}\\n]*?[^\\s${mark}])?${mark}(?![\\w${mark}])`, "g");
      html = html.replace(pattern, (whole, before, inner) => {
        if (inner === undefined) return whole;
        return `${before}<${tag}>${inner}</${tag}>`;
      });
    }
    html = emojify(html);
    html = html.replace(/\u0003(\d+)\u0004/g, (w, i) => codes[Number(i)]);
    return html.replace(/\u0001(\d+)\u0002/g, (w, i) => tokens[Number(i)]);
  }

  function mrkdwn(text, ctx) {
    const pieces = String(text || "").split("```");
    let html = "";
    pieces.forEach((piece, index) => {
      if (index % 2 === 1) {
        html += `<pre>${escapeHtml(decodeEntities(piece.replace(/^\n/, "")))}</pre>`;
        return;
      }
      const lines = piece.split("\n");
      let quote = [];
      const out = [];
      const flush = () => {
        if (quote.length) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
        quote = [];
      };
      for (const line of lines) {
        const quoted = line.match(/^(?:>|&gt;)\s?(.*)$/);
        if (quoted) {
          quote.push(inline(quoted[1], ctx));
        } else {
          flush();
          out.push(inline(line, ctx));
        }
      }
      flush();
      // Lines joined by <br>, but a blockquote is a block of its own.
      html += out.reduce((acc, part, i) => {
        if (i === 0) return part;
        const block = part.startsWith("<blockquote>") || out[i - 1].startsWith("<blockquote>");
        return acc + (block ? "" : "<br>") + part;
      }, "");
    });
    return html;
  }

  // Slack keeps a plain_text's line breaks (the reply to copy has paragraphs).
  function plainText(obj) {
    const text = escapeHtml(obj && obj.text != null ? obj.text : "").replace(/\n/g, "<br>");
    return obj && obj.emoji === false ? text : emojify(text);
  }

  function textObject(obj, ctx) {
    if (!obj || typeof obj !== "object") return cannotShow("text");
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx);
    if (obj.type === "plain_text") return plainText(obj);
    return cannotShow(`text of type ${obj.type}`);
  }

  function cannotShow(what) {
    return `<div class="cannot-show">cannot show ${escapeHtml(what)}</div>`;
  }

  // ---- elements --------------------------------------------------------------------------------

  function ids(block, element) {
    return `data-block-id="${escapeHtml(block.block_id || "")}" data-action-id="${escapeHtml(element.action_id || "")}"`;
  }

  function confirmAttr(element) {
    return element.confirm ? ` data-confirm="${escapeHtml(JSON.stringify(element.confirm))}"` : "";
  }

  function button(block, element) {
    const style = element.style === "primary" || element.style === "danger"
      ? ` btn-${element.style}` : "";
    const url = element.url && safeUrl(element.url)
      ? ` data-url="${escapeHtml(element.url)}"` : "";
    const link = url ? ' <span class="external" aria-hidden="true">↗</span>' : "";
    return `<button type="button" class="btn${style} bk-button" ${ids(block, element)}${url}${confirmAttr(element)}>${plainText(element.text)}${link}</button>`;
  }

  function options(element) {
    const groups = element.option_groups
      ? element.option_groups.map((g) => ({ label: g.label, options: g.options || [] }))
      : [{ label: null, options: element.options || [] }];
    return groups;
  }

  function staticSelect(block, element, ctx, inInput) {
    const chosen = ctx.values && (`${block.block_id}/${element.action_id}` in ctx.values)
      ? ctx.values[`${block.block_id}/${element.action_id}`]
      : (element.initial_option ? element.initial_option.value : "");
    const placeholder = element.placeholder ? element.placeholder.text : "Select an item";
    let html = `<select class="bk-select${inInput ? " bk-input-select" : ""}" ${ids(block, element)}${confirmAttr(element)}>`;
    html += `<option value=""${chosen ? "" : " selected"} disabled>${escapeHtml(placeholder)}</option>`;
    for (const group of options(element)) {
      if (group.label) html += `<optgroup label="${escapeHtml(group.label.text)}">`;
      for (const option of group.options) {
        const selected = option.value === chosen ? " selected" : "";
        html += `<option value="${escapeHtml(option.value)}"${selected}>${escapeHtml(option.text.text)}</option>`;
      }
      if (group.label) html += "</optgroup>";
    }
    return html + "</select>";
  }

  function overflow(block, element) {
    let html = `<details class="bk-overflow" ${ids(block, element)}><summary class="btn" aria-label="More actions">⋯</summary><div class="menu">`;
    for (const option of element.options || []) {
      html += `<button type="button" class="menu-item" data-option="${escapeHtml(option.value)}">${plainText(option.text)}</button>`;
    }
    return html + "</div></details>";
  }

  function image(element, small) {
    const alt = escapeHtml(element.alt_text || "");
    const url = element.image_url && safeUrl(element.image_url);
    if (!url) return cannotShow("image without a usable image_url");
    return `<img class="${small ? "bk-icon" : "bk-image"}" src="${escapeHtml(url)}" alt="${alt}" title="${alt}" loading="lazy">`;
  }

  function interactive(block, element, ctx) {
    switch (element && element.type) {
      case "button": return button(block, element);
      case "static_select": return staticSelect(block, element, ctx, false);
      case "overflow": return overflow(block, element);
      case "image": return image(element, true);
      default: return cannotShow(element && element.type ? element.type : "element");
    }
  }

  function inputElement(block, element, ctx) {
    const key = `${block.block_id}/${element.action_id}`;
    if (element.type === "plain_text_input") {
      const has = ctx.values && key in ctx.values;
      const value = has ? ctx.values[key] : (element.initial_value || "");
      const placeholder = element.placeholder ? ` placeholder="${escapeHtml(element.placeholder.text)}"` : "";
      const limits = ` data-max="${element.max_length || ""}" data-min="${element.min_length || ""}"`;
      return element.multiline
        ? `<textarea class="bk-text" rows="6" ${ids(block, element)}${placeholder}${limits}>${escapeHtml(value)}</textarea>`
        : `<input class="bk-text" type="text" ${ids(block, element)}${placeholder}${limits} value="${escapeHtml(value)}">`;
    }
    if (element.type === "static_select") return staticSelect(block, element, ctx, true);
    if (element.type === "checkboxes") {
      const ticked = new Set((element.initial_options || []).map((o) => o.value));
      let html = `<div class="bk-checkboxes" data-kind="checkboxes" ${ids(block, element)}>`;
      for (const option of element.options || []) {
        const checked = ticked.has(option.value) ? " checked" : "";
        html += `<label class="bk-checkbox"><input type="checkbox" value="${escapeHtml(option.value)}"${checked}> ${textObject(option.text, ctx)}</label>`;
      }
      return html + "</div>";
    }
    return cannotShow(element.type || "input element");
  }

  // ---- blocks ----------------------------------------------------------------------------------

  function block(block, ctx) {
    const id = escapeHtml(block.block_id || "");
    switch (block.type) {
      case "section": {
        let html = `<div class="bk-section" data-block="${id}"><div class="bk-section-main">`;
        if (block.text) html += `<div class="bk-text-body">${textObject(block.text, ctx)}</div>`;
        if (block.fields) {
          html += `<div class="bk-fields">${block.fields.map((f) => `<div>${textObject(f, ctx)}</div>`).join("")}</div>`;
        }
        html += "</div>";
        if (block.accessory) {
          html += `<div class="bk-accessory">${block.accessory.type === "image" ? image(block.accessory, false) : interactive(block, block.accessory, ctx)}</div>`;
        }
        return html + "</div>";
      }
      case "header":
        return `<div class="bk-header" data-block="${id}">${plainText(block.text)}</div>`;
      case "context":
        return `<div class="bk-context" data-block="${id}">${(block.elements || []).map((e) => {
          if (e.type === "image") return image(e, true);
          if (e.type === "mrkdwn" || e.type === "plain_text") return `<span>${textObject(e, ctx)}</span>`;
          return cannotShow(e.type || "context element");
        }).join("")}</div>`;
      case "actions":
        return `<div class="bk-actions" data-block="${id}">${(block.elements || []).map((e) => interactive(block, e, ctx)).join("")}</div>`;
      case "divider":
        return `<hr class="bk-divider">`;
      case "table": {
        // raw_text cells; the first row is drawn as the heading (how Slack shows it)
        const align = (block.column_settings || []).map((c) => (c && c.align) || "left");
        const rows = (block.rows || []).map((row, r) => `<tr>${row.map((cell, c) => {
          const text = cell && cell.type === "raw_text" ? escapeHtml(cell.text || "")
            : cannotShow((cell && cell.type) || "table cell");
          const tag = r === 0 ? "th" : "td";
          return `<${tag} style="text-align:${align[c] || "left"}">${text}</${tag}>`;
        }).join("")}</tr>`).join("");
        return `<div class="bk-table-wrap" data-block="${id}"><table class="bk-table">${rows}</table></div>`;
      }
      case "image": {
        const title = block.title ? `<div class="bk-image-title">${plainText(block.title)}</div>` : "";
        return `<div class="bk-image-block" data-block="${id}">${title}${image(block, false)}</div>`;
      }
      case "input": {
        const error = ctx.errors && ctx.errors[block.block_id];
        const optional = block.optional ? ' <span class="optional">(optional)</span>' : "";
        const hint = block.hint ? `<div class="bk-hint">${plainText(block.hint)}</div>` : "";
        const shown = error ? `<div class="bk-error" role="alert">${escapeHtml(error)}</div>` : "";
        if (ctx.surface === "message") return cannotShow("input outside a modal");
        return `<div class="bk-input${error ? " has-error" : ""}" data-block="${id}" data-optional="${block.optional ? "1" : ""}"><label class="bk-label">${plainText(block.label)}${optional}</label>${inputElement(block, block.element || {}, ctx)}${shown}${hint}</div>`;
      }
      default:
        return cannotShow(block.type || "block");
    }
  }

  function render(blocks, ctx) {
    if (!Array.isArray(blocks)) return cannotShow("blocks that are not a list");
    return blocks.map((b) => (b && typeof b === "object" ? block(b, ctx) : cannotShow("block"))).join("");
  }

  global.BlockKit = { render, mrkdwn, formatDate, escapeHtml, plainText, cannotShow, EMOJI };
})(window);

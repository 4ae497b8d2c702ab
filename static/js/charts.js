/* Draw the page's charts with uPlot from their JSON data islands.
 *
 * Each <div data-chart="ID"> is drawn from <script type="application/json" id="ID">:
 * {title, kind: "line"|"bars", axis: "time"|"day"|"category", x: [...], xLabel, yLabel,
 *  zoomFrom, unit: "int"|"achievement", series: [{label, values, color}]}. Times are seconds
 * on the clock where they happened, so they are shown as UTC. The axes start at x[zoomFrom]
 * and fit the values from there; axis colours follow the page's theme; a tooltip follows
 * the cursor or the finger. A drawn box gets data-drawn="1"; errors are kept on <html
 * data-chart-errors> so a headless browser can see them.
 */
(function () {
  "use strict";

  var DAY = 86400;
  var HEIGHT = 200;
  var errors = [];
  var plots = [];

  function record(message) {
    errors.push(String(message));
    document.documentElement.setAttribute("data-chart-errors", errors.join(" | "));
  }

  // Capturing listener: also sees scripts and styles that failed to load.
  window.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      record("failed to load " + (target.src || target.href));
    } else {
      record(event.message || "script error");
    }
  }, true);
  document.addEventListener("securitypolicyviolation", function (event) {
    record("CSP blocked " + event.violatedDirective + " " + (event.blockedURI || ""));
  });

  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }

  function clockDate(seconds) {
    return new Date(seconds * 1000);
  }

  function dayText(seconds, withYear) {
    var date = clockDate(seconds);
    var text = (date.getUTCMonth() + 1) + "/" + date.getUTCDate();
    return withYear ? date.getUTCFullYear() + "/" + text : text;
  }

  function timeText(seconds) {
    var date = clockDate(seconds);
    return dayText(seconds, true) + " " + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes());
  }

  function valueText(unit, value) {
    if (value === null || value === undefined) {
      return "—";
    }
    if (unit === "achievement") {
      var whole = Math.floor(value / 10000);
      var fraction = String(value % 10000);
      while (fraction.length < 4) {
        fraction = "0" + fraction;
      }
      return whole + "." + fraction + "%";
    }
    return String(value);
  }

  function axisText(unit, value) {
    if (unit === "achievement") {
      return (value / 10000).toFixed(value % 10000 === 0 ? 0 : 1) + "%";
    }
    return String(Math.round(value * 100) / 100);
  }

  function timeAxisValues(u, splits) {
    var first = splits[0];
    var last = splits[splits.length - 1];
    return splits.map(function (seconds, index) {
      var date = clockDate(seconds);
      if (last - first > 300 * DAY) {
        return date.getUTCFullYear() + "/" + (date.getUTCMonth() + 1);
      }
      if (last - first < 2 * DAY) {
        return dayText(seconds, false) + " " + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes());
      }
      var yearChanged = index > 0 && clockDate(splits[index - 1]).getUTCFullYear() !== date.getUTCFullYear();
      return dayText(seconds, yearChanged);
    });
  }

  function themeColor(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (value && value.trim()) || fallback;
  }

  function fade(color) {
    return color.length === 7 ? color + "99" : color;
  }

  function xScale(data) {
    if (data.axis === "category") {
      return {time: false, range: [-0.5, data.x.length - 0.5]};
    }
    var shown = data.x.slice(data.zoomFrom || 0);
    var low = Math.min.apply(null, shown);
    var high = Math.max.apply(null, shown);
    var padding = data.kind === "bars" || low === high ? DAY / 2 : 0;
    if (data.kind === "bars" && data.x.length > 1) {
      padding = Math.max(padding, (data.x[1] - data.x[0]) / 2);
    }
    return {time: true, range: function () { return [low - padding, high + padding]; }};
  }

  function yScale(data) {
    if (data.kind === "bars") {
      return {range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; }};
    }
    var values = [];
    data.series.forEach(function (entry) {
      entry.values.slice(data.zoomFrom || 0).forEach(function (value) {
        if (value !== null) {
          values.push(value);
        }
      });
    });
    if (!values.length) {
      return {};
    }
    var low = Math.min.apply(null, values);
    var high = Math.max.apply(null, values);
    // A flat line gets room around it: 1 % for achievements, 5 % of the value otherwise.
    var room = high > low ? (high - low) * 0.1 : (data.unit === "achievement" ? 10000 : Math.max(1, high * 0.05));
    return {range: function () { return [low - room, high + room]; }};
  }

  function axisBase(label) {
    return {
      stroke: themeColor("--muted", "#5b6478"),
      grid: {stroke: themeColor("--line", "#e3e7f0")},
      ticks: {stroke: themeColor("--line", "#e3e7f0")},
      label: label || undefined,
      labelSize: label ? 20 : 0,
      labelFont: "bold 12px sans-serif",
      font: "11px sans-serif"
    };
  }

  function xAxis(data) {
    var axis = axisBase(data.xLabel);
    if (data.axis === "category") {
      var labels = data.x;
      axis.splits = function () {
        return labels.map(function (_, index) { return index; });
      };
      axis.values = function (u, splits) {
        return splits.map(function (index) { return labels[index]; });
      };
      axis.grid = {show: false};
      if (labels.length > 7) {
        axis.rotate = -60;
        axis.size = 46;
      }
    } else {
      axis.values = timeAxisValues;
      var span = Math.max.apply(null, data.x) - Math.min.apply(null, data.x);
      axis.space = span < 2 * DAY ? 80 : 48;
    }
    return axis;
  }

  // A small box beside the cursor (or finger) with the x and every series' value there.
  function tooltip(data) {
    var box;
    return {
      hooks: {
        init: function (u) {
          box = document.createElement("div");
          box.className = "chart-tip";
          box.setAttribute("aria-hidden", "true");
          box.style.display = "none";
          u.over.appendChild(box);
        },
        setCursor: function (u) {
          var index = u.cursor.idx;
          if (index === null || index === undefined || u.cursor.left < 0) {
            box.style.display = "none";
            return;
          }
          var lines = [u.series[0].value(u, u.data[0][index])];
          for (var number = 1; number < u.series.length; number++) {
            var value = u.data[number][index];
            if (value !== null && value !== undefined) {
              lines.push(u.series[number].label + " " + valueText(data.unit, value));
            }
          }
          box.textContent = "";
          lines.forEach(function (line, position) {
            var row = document.createElement(position ? "div" : "strong");
            row.textContent = line;
            box.appendChild(row);
          });
          box.style.display = "block";
          var left = u.cursor.left + 12;
          if (left + box.offsetWidth > u.over.clientWidth) {
            left = Math.max(0, u.cursor.left - box.offsetWidth - 12);
          }
          box.style.left = left + "px";
          box.style.top = Math.max(0, u.cursor.top - box.offsetHeight - 8) + "px";
        }
      }
    };
  }

  function options(data, width) {
    var bars = data.kind === "bars";
    var series = [{
      label: data.xLabel,
      value: function (u, x) {
        if (x === null || x === undefined) {
          return "—";
        }
        if (data.axis === "category") {
          return data.x[x];
        }
        return data.axis === "day" ? dayText(x, true) : timeText(x);
      }
    }];
    data.series.forEach(function (entry) {
      series.push({
        label: entry.label,
        stroke: entry.color,
        width: bars ? 0 : 2,
        fill: bars ? fade(entry.color) : undefined,
        spanGaps: true,
        points: {show: !bars && data.x.length <= 60, size: 5, fill: entry.color},
        paths: bars ? uPlot.paths.bars({size: [0.7, 40], gap: 1}) : undefined,
        value: function (u, value) { return valueText(data.unit, value); }
      });
    });
    return {
      width: width,
      height: HEIGHT,
      series: series,
      scales: {x: xScale(data), y: yScale(data)},
      axes: [xAxis(data), (function () {
        var axis = axisBase(data.yLabel);
        axis.size = data.unit === "achievement" ? 58 : 46;
        axis.values = function (u, splits) {
          return splits.map(function (value) { return axisText(data.unit, value); });
        };
        return axis;
      }())],
      plugins: [tooltip(data)],
      tzDate: function (seconds) {
        var date = new Date(seconds * 1000);
        return new Date(date.getTime() + date.getTimezoneOffset() * 60000);
      },
      cursor: {drag: {x: false, y: false}, points: {size: 7}},
      legend: {show: true, live: true}
    };
  }

  function widthOf(box) {
    return Math.max(240, box.clientWidth || 0);
  }

  function draw(box) {
    var island = document.getElementById(box.getAttribute("data-chart"));
    if (!island) {
      throw new Error("no data for chart " + box.getAttribute("data-chart"));
    }
    var data = JSON.parse(island.textContent);
    box.setAttribute("aria-label", data.title);
    var columns = [data.axis === "category" ? data.x.map(function (_, index) { return index; }) : data.x];
    data.series.forEach(function (entry) {
      columns.push(entry.values);
    });
    var plot = new uPlot(options(data, widthOf(box)), columns, box);
    plots.push({plot: plot, box: box});
    if (observer) {
      observer.observe(box);
    }
    box.setAttribute("data-drawn", "1");
  }

  function drawAll() {
    var boxes = document.querySelectorAll("[data-chart]");
    if (typeof uPlot === "undefined") {
      record("uPlot is not loaded");
      return;
    }
    Array.prototype.forEach.call(boxes, function (box) {
      try {
        draw(box);
      } catch (error) {
        box.setAttribute("data-drawn", "0");
        box.textContent = "图表无法显示，数字见下方。";
        record(box.getAttribute("data-chart") + ": " + (error && error.message));
      }
    });
    document.documentElement.setAttribute("data-charts-drawn", String(plots.length));
  }

  // Follow the box's width: phones turn, and WeChat settles its viewport after loading.
  function fit() {
    plots.forEach(function (entry) {
      var width = widthOf(entry.box);
      if (width !== entry.plot.width) {
        entry.plot.setSize({width: width, height: HEIGHT});
      }
    });
  }

  var resizing = null;
  function fitSoon() {
    clearTimeout(resizing);
    resizing = setTimeout(fit, 100);
  }

  var observer = typeof ResizeObserver === "function" ? new ResizeObserver(fitSoon) : null;
  window.addEventListener("resize", fitSoon);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());

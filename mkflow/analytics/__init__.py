"""Analytics: the dashboards' figures and the charts, computed on the server.

Figures come from SQL aggregates over the event history (and, for the present moment, the
open items themselves). Every figure is built from a base query whose rows are the events
or items it counts, so the list behind a bar (``drill``) comes from the same query with a
narrower filter.

- ``filters``: the period, department, template and person of a dashboard and who may
  ask for which;
- ``process_figures``: throughput, cycle time, time per stage, first-pass rate, cumulative flow;
- ``workload``: each person's open, overdue and finished work and next week's workload;
- ``project_figures``: progress, overdue tasks, upcoming milestones, slipped tasks;
- ``departments``: the departments side by side against the previous period;
- ``drill``: the items behind a figure;
- ``dashboard_figures``: each figure as a table and a plotly figure.

Charts of spans on a time axis (a project's Gantt, an item's and a template's timelines, a
department's portfolio) share one figure builder, ``timeline``; ``gantt``,
``item_timelines`` and ``portfolio`` read the database and decide the spans, and every
figure leaves the server through ``figure_json``. Pages draw them on the server as SVG
(``svg``) and with plotly.js when the reader asks for the interactive chart.
"""

"""Charts drawn by plotly.js from figures built on the server with the plotly package.

Each chart is a ``Chart``: the figure as JSON for the browser and the same numbers as a
table, which is what a page shows without JavaScript and what screen readers read.
"""

"""A picture of horn results to share: the line charts and normalised polar maps the app draws, with the design
and solver settings in a caption, as PNG, SVG or one self-contained HTML page (``files.write_report``).

Only this package loads matplotlib, and only when a report is drawn: the plugin's entry imports it on use.
"""

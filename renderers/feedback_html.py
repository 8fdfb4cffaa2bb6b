"""The reference page's "Customer feedback" section (engine/feedback.py summaries), escaped HTML."""
from __future__ import annotations

from markupsafe import Markup, escape

from engine.feedback import AnswerFeedback, headline

CHANNEL_TITLES = {"web": "Web", "mobile": "Mobile app", "ivr": "Phone (IVR)", "chat": "Chat", "sms": "SMS"}


def section(summary: AnswerFeedback | None) -> Markup:
    """Per channel: volume, success rate, outcomes, how much is for the current version, trend, comments."""
    if summary is None or not summary.channels:
        return Markup("")
    rows = []
    for item in summary.channels:
        version = ("all for this version" if item.older == 0 else
                   "none for this version (older versions only)" if item.current == 0 else
                   f"{item.current} for this version, {item.older} for older ones")
        trend = "" if item.trend is None else f"{item.trend:+.0%} on the previous {30} days"
        outcomes = ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in item.outcomes)
        rows.append(Markup(
            '<tr data-channel="{}"><th scope="row">{}</th><td>{}</td><td>{:.0%}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
        ).format(item.channel, CHANNEL_TITLES.get(item.channel, item.channel), item.volume, item.success, outcomes,
                 version, trend))
    worst = min(summary.channels, key=lambda c: (c.success, -c.volume))
    comments = [Markup("<li>{}: {}</li>").format(CHANNEL_TITLES.get(c.channel, c.channel), comment)
                for c in summary.channels for comment in c.comments]
    parts = [
        Markup('<section class="feedback" aria-labelledby="feedback-heading">\n'
               '<h2 id="feedback-heading">Customer feedback</h2>\n<p class="feedback-headline">{}</p>\n').format(
            headline(worst)),
        Markup('<div class="table-scroll" role="region" tabindex="0" aria-label="Feedback per channel">\n'
               '<table class="feedback-table">\n<thead><tr><th scope="col">Channel</th><th scope="col">Responses</th>'
               '<th scope="col">Helpful</th><th scope="col">Outcomes</th><th scope="col">Version</th>'
               '<th scope="col">Trend</th></tr></thead>\n<tbody>\n'),
        Markup("\n").join(rows),
        Markup("\n</tbody>\n</table>\n</div>\n"),
    ]
    if comments:
        parts.append(Markup('<h3>Recent comments</h3>\n<ul class="feedback-comments">\n{}\n</ul>\n').format(
            Markup("\n").join(comments)))
    parts.append(Markup("</section>\n"))
    return Markup("").join(parts)

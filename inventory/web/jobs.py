"""The page of a background job (a big label sheet, a big export): its progress, then its download. A static
script (static/job-progress.js) asks for the progress every two seconds; without it, a link checks again."""

from __future__ import annotations

from flask import jsonify, render_template, send_file, url_for
from flask_login import current_user

from ..models import JobStatus
from ..permissions import Permission
from ..services import background_jobs
from . import bp
from .common import needs

# What each kind makes, and what it counts, in words.
KINDS = {"label_sheet": ("Label sheet", "labels drawn"), "asset_export": ("Asset list export", "rows written")}


def _state(job) -> dict:
    return {
        "status": job.status.value,
        "done": job.done,
        "total": job.total,
        "percent": background_jobs.percent(job),
        "message": job.message,
        "download": url_for("web.job_download", job_id=job.id) if job.status == JobStatus.DONE else None,
    }


@bp.route("/jobs/<id:job_id>", endpoint="job_page")
@needs(Permission.LOOK_UP)
def job_page(job_id: int):
    job = background_jobs.get(job_id, current_user)
    name, unit = KINDS.get(job.kind, (job.kind, "done"))
    return render_template("job.html", job=job, name=name, unit=unit, state=_state(job))


@bp.route("/jobs/<id:job_id>.json", endpoint="job_state")
@needs(Permission.LOOK_UP)
def job_state(job_id: int):
    """What the page's script polls."""
    return jsonify(_state(background_jobs.get(job_id, current_user)))


@bp.route("/jobs/<id:job_id>/download", endpoint="job_download")
@needs(Permission.LOOK_UP)
def job_download(job_id: int):
    body, media_type, filename = background_jobs.result(job_id, current_user)
    return send_file(body, mimetype=media_type, as_attachment=True, download_name=filename)

"""Background jobs (big label sheets, big exports): their progress, and their file once done. Only for the
one who asked for it, and admins; anyone else is told there is no such job."""

from __future__ import annotations

from flask import send_file

from ...auth import current_user, requires
from ...permissions import Permission
from ...schemas.jobs import JobSchema
from ...services import background_jobs
from ..common import Blueprint

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Long work done in the background")


@blp.route("/<id:job_id>", methods=["GET"])
@requires(Permission.LOOK_UP)
@blp.response(200, JobSchema, description="Its state: queued, running (with progress), done or failed (and why)")
def get(job_id):
    return background_jobs.get(job_id, current_user())


@blp.route("/<id:job_id>/download", methods=["GET"])
@requires(Permission.LOOK_UP)
@blp.response(200, description="The file the job made", content_type="application/octet-stream")
def download(job_id):
    body, media_type, filename = background_jobs.result(job_id, current_user())
    return send_file(body, mimetype=media_type, as_attachment=True, download_name=filename)

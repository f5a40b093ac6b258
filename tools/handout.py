"""The learners' copies as a git repository, and the nbgitpuller link that hands them out on a hub.

    python tools/handout.py build ../fastapi-handout
        writes the student copy of every notebook (solutions taken out) into that folder, a git
        repository of its own (made if need be), and commits them if anything changed. Push it to
        a host the hub can clone from (GitHub, GitLab...).
    python tools/handout.py link --hub https://hub.example.org --repo https://github.com/you/fastapi-handout
        prints the link to give learners. Opening it clones the repository into their home on
        the hub, or, when they already have it, merges the new commits into their copy, and then
        opens 00_setup_check.ipynb in JupyterLab (nbgitpuller,
        https://nbgitpuller.readthedocs.io/en/latest/topic/url-options.html).

    python tools/handout.py binder --repo https://github.com/you/fastapi-course
        prints the Binder link that opens the course itself (solutions included) on mybinder.org
        (the form at https://mybinder.org builds the same links).

`make handout DIR=...`, `make handout-link HUB=... REPO=...` and `make binder-link REPO=...` run these.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.make_student_copy import student_copy  # noqa: E402

FIRST = "00_setup_check.ipynb"
README = """# FastAPI course: your copies of the notebooks

Start with `00_setup_check.ipynb`, then `01_why_fastapi.ipynb`. Your edits stay yours: when your
instructor updates these notebooks and you open their link again, the new material is merged
into your copy, and a notebook you deleted comes back fresh.
"""


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


def build(folder: Path, notebooks: Path = ROOT / "notebooks") -> bool:
    """Write the student copies into `folder` and commit them; True when there was a change.

    The folder must lie outside the course: inside it, the copies could overwrite the lessons'
    solutions, or be committed into the course's own repository.
    """
    target = folder.resolve()
    if target == ROOT or ROOT in target.parents:
        raise SystemExit(f"{folder} is inside the course ({ROOT}): give a folder outside it, e.g. ../fastapi-handout")
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / ".git").exists():
        git(folder, "init", "--quiet", "--initial-branch=main")
    sources = sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        raise SystemExit(f"No notebooks in {notebooks}")
    for stale in set(folder.glob("*.ipynb")) - {folder / source.name for source in sources}:
        stale.unlink()  # a lesson renamed or removed in the course
    for source in sources:
        copy = student_copy(json.loads(source.read_text(encoding="utf-8")))
        (folder / source.name).write_text(json.dumps(copy, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(README, encoding="utf-8")
    git(folder, "add", "--all")
    if not git(folder, "status", "--porcelain"):
        return False
    course = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    git(folder, "-c", "user.name=FastAPI course", "-c", "user.email=course@localhost",
        "commit", "--quiet", "-m", f"Student copies of the course at {course or 'an uncommitted tree'}")
    return True


def link(hub: str, repo: str, branch: str = "main", first: str = FIRST) -> str:
    """nbgitpuller's link: clone or update `repo` into the learner's home, then open `first`.

    The folder is named after the repository, without ".git", and said so (`targetpath`):
    nbgitpuller's own default keeps the ".git".
    """
    folder = repo.rstrip("/").split("/")[-1].removesuffix(".git")
    query = urlencode({"repo": repo, "branch": branch, "targetpath": folder, "urlpath": f"lab/tree/{folder}/{first}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def binder_link(repo: str, ref: str = "HEAD", first: str = f"notebooks/{FIRST}") -> str:
    """mybinder.org's link to the course repository, opening `first` in JupyterLab."""
    parts = urlsplit(repo)
    path = parts.path.strip("/").removesuffix(".git")
    if parts.netloc == "github.com" and path.count("/") == 1:
        source = f"gh/{path}"
    else:
        source = f"git/{quote(repo, safe='')}"
    return f"https://mybinder.org/v2/{source}/{ref}?{urlencode({'urlpath': f'lab/tree/{first}'})}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    built = commands.add_parser("build", help="write and commit the student copies into a git repository")
    built.add_argument("folder", type=Path)
    linked = commands.add_parser("link", help="print the nbgitpuller link for learners")
    linked.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.org")
    linked.add_argument("--repo", required=True, help="where the hub clones the handout from")
    linked.add_argument("--branch", default="main")
    binder = commands.add_parser("binder", help="print the Binder link to the course repository")
    binder.add_argument("--repo", required=True, help="the course's public git repository")
    binder.add_argument("--ref", default="HEAD")
    args = parser.parse_args(argv)
    if args.command == "build":
        changed = build(args.folder)
        print(f"{args.folder}: {'committed the student copies' if changed else 'already up to date'}")
    elif args.command == "link":
        print(link(args.hub, args.repo, args.branch))
    else:
        print(binder_link(args.repo, args.ref))
    return 0


if __name__ == "__main__":
    sys.exit(main())

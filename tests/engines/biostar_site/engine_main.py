"""Create, seed and serve a Biostar Central question-and-answer site for forumcrawl's tests.

Runs inside the engine's own virtualenv, never the project's::

    <venv>/bin/python engine_main.py --mode seed --truth-out truth.json
    <venv>/bin/python engine_main.py --mode serve [--port 0]
    <venv>/bin/python engine_main.py --mode edit --post-id N --text "..."
    <venv>/bin/python engine_main.py --mode reply --thread-id N --author alice --text "..."

Biostar Central (the software of biostars.org) keeps questions, answers and comments in
one ``Post`` table (``type``, ``root``, ``parent``); a question's page ``/p/<uid>/`` shows
the question, every answer and the comments under each (nested), on one page (it does not
paginate a thread). Answers and comments have no page of their own: ``/p/<uid>/`` of one
redirects to its question's page (``#<uid>``).

``seed`` migrates a fresh SQLite file (FC_ENGINE_DB), makes the users (Django's user model;
Biostar's own signal gives each a ``Profile``, whose ``name`` is what the pages show),
then, logged in as each author through Django's test client, asks every question through
the "New Post" form (``/new/post/``), answers through the question page's answer form
(``POST /p/<uid>/``) and comments through the comment endpoint the page's script calls
(``POST /ajax/comment/create/``). Biostar accepts English ASCII text only (its language and
character validators), so the content is this file's own, not the shared corpus. Then it
backdates the posts (ORM) and writes the ground truth read back from the Post table.
"""
from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "common")]  # fc_biostar_settings; engine_cli, wsgi_serve
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fc_biostar_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

import engine_cli  # noqa: E402

User = get_user_model()

USERS = {"alice": "Alice Moreau", "bob_smith": "Bob Smith", "chenwei": "Chen Wei", "lihua": "Li Hua",
         "dmitri": "Dmitri Volkov", "marta": "Marta Ruiz"}

# Distinct sentences: each post is made of its own, so no two posts look alike to a matcher.
SENTENCES = """\
The alignment step keeps failing with a segmentation fault after about ten minutes.
I checked the reference index twice and both copies give the same checksum.
Running the tool on a smaller subset of reads finishes without any complaint.
Memory usage climbs steadily until the node kills the process.
Try lowering the number of threads so each worker gets a larger share of memory.
Sorting the input by coordinate first usually removes that error for me.
Your read names probably contain spaces, which confuses the downstream parser.
Rebuilding the index with the newer release solved a similar crash on our cluster.
The annotation file uses a different chromosome naming scheme than the genome.
Strip the chr prefix with a short sed command and the counts will line up.
Gene level counts are usually enough for a first differential expression pass.
Transcript level quantification only pays off when isoforms really matter to you.
Normalisation by library size alone ignores composition bias between samples.
The median of ratios method handles composition bias quite well in practice.
Batch effects are visible in the first principal component of our plot.
Include the sequencing run as a covariate in the design formula.
Removing the batch before testing can inflate your false discovery rate.
Variant calling on pooled samples needs a caller that models allele frequency.
Duplicate marking matters far more for exome data than for whole genomes.
Base quality recalibration gave us only a marginal improvement last year.
A hard filter on depth and strand bias removes most obvious artefacts.
Phasing short reads across long distances is simply not realistic.
Single cell data needs a different normalisation than bulk experiments.
Ambient RNA contamination shows up as marker genes in every cluster.
Doublets form small clusters that sit between two large populations.
Clustering resolution is a choice, not a property of the biology.
Trajectory inference assumes a continuous process that may not exist.
The assembly produced thousands of tiny contigs from the plasmid reads.
Long reads will span the repeats that break your short read assembly.
Polishing with short reads fixes most homopolymer errors in long read contigs.
Coverage above one hundred fold rarely improves a bacterial assembly.
Check the contigs for contamination with a quick taxonomic classifier.
Workflow managers save hours once a pipeline has more than three steps.
Snakemake rules read naturally if you already write Python every day.
Nextflow channels take some getting used to but scale nicely on clusters.
Pin every tool version in a container so results can be reproduced later.
Conda environments break silently when channels are mixed carelessly.
A lock file for the environment is cheaper than a week of debugging.
Peak calling on broad histone marks needs a broad mode setting.
Input controls should be sequenced at least as deeply as the treatment.
Fragment size estimation fails when the library has few peaks.
Irreproducible discovery rate compares peaks across biological replicates.
Motif enrichment depends heavily on the background sequences chosen.
Metagenomic profiling with marker genes misses organisms without references.
Rarefying throws away data that a proper model could use.
Compositional data analysis treats abundances as ratios instead of counts.
Spike in standards help to estimate absolute abundance in a community.
Host reads should be removed before any taxonomic classification.
Protein structure prediction is now accurate enough for many domains.
Confidence scores tell you which loops not to trust in the model.
Docking results depend on the protonation state you assign to the ligand.
Molecular dynamics runs need equilibration before any production sampling.
Statistical power is the question to answer before sequencing anything.
Three biological replicates are a floor, not a comfortable target.
Technical replicates do not replace biological ones in any design.
Multiple testing correction is not optional with twenty thousand genes.
Effect sizes deserve as much attention as adjusted p values.
Plots of raw data catch more mistakes than any summary statistic.
Thanks, that explanation finally made the difference clear to me.
That worked after I reinstalled the package in a fresh environment.
Could you share the exact command line you used for that run?
Which version of the reference genome are you working with here?
I would also look at the log file for warnings printed before the crash.
Good point, I had not considered the naming mismatch at all.
The documentation of the tool describes this case in its last chapter.
A minimal reproducible example would help others answer faster.
I ran into the same issue and the fix above works for me too.
Our core facility recommends the same approach for small labs.
Be careful, the default parameters changed between major versions.
This answer deserves more votes, it explains the model very clearly.
Old benchmarks may not apply to the current versions of these tools.
The mailing list of the project has a long thread on exactly this.
Keep raw files read only so no script can overwrite them by accident.
Write the sample sheet once and generate every config file from it.
Version control for analysis code is as important as for software.
Small test datasets make continuous integration of pipelines possible.
Checksums of downloaded references belong in the project notes.
A readme per project folder saves your future self a lot of time.
Interactive notebooks are great for exploration but poor for pipelines.
Random seeds must be fixed when results depend on sampling.
""".splitlines()

# question (author, title, tags) -> answers, each (author, [(comment author), ...])
QUESTIONS = [
    ("alice", "Aligner crashes with a segmentation fault on large samples", "alignment,crash",
     [("bob_smith", ["alice", "chenwei"]), ("chenwei", []), ("dmitri", ["alice"])]),
    ("bob_smith", "Chromosome names do not match between annotation and genome", "annotation,rnaseq",
     [("marta", ["bob_smith"]), ("lihua", [])]),
    ("chenwei", "How to normalise counts for differential expression", "rnaseq,normalisation",
     [("alice", []), ("dmitri", ["chenwei", "marta"]), ("bob_smith", [])]),
    ("lihua", "Strong batch effect in the first principal component", "batch,pca",
     [("marta", ["lihua"]), ("alice", [])]),
    ("dmitri", "Best practice for variant calling on pooled samples", "variants,pooling",
     [("chenwei", []), ("lihua", ["dmitri"]), ("bob_smith", ["alice", "marta"]), ("marta", [])]),
    ("marta", "Clusters that look like doublets in single cell data", "singlecell,clustering",
     [("alice", ["marta"]), ("dmitri", [])]),
    ("alice", "Bacterial assembly gives thousands of tiny contigs", "assembly,longreads",
     [("bob_smith", []), ("chenwei", ["alice"]), ("lihua", [])]),
    ("bob_smith", "Which workflow manager for a small genomics lab", "workflow,reproducibility",
     [("alice", []), ("chenwei", []), ("dmitri", ["bob_smith"]), ("lihua", []), ("marta", ["alice"]),
      ("alice", []), ("chenwei", ["lihua"]), ("dmitri", []), ("lihua", ["marta"]), ("marta", []),
      ("bob_smith", [])]),
    ("chenwei", "How many replicates do I need for an expression study", "design,statistics",
     [("marta", ["chenwei"]), ("lihua", []), ("dmitri", [])]),
]

START = datetime(2019, 5, 6, 7, 8, tzinfo=timezone.utc)


def _content(number: int) -> str:
    """Post number ``number``'s text: three sentences of its own (two paragraphs)."""
    a, b, c = (SENTENCES[(3 * number + k) % len(SENTENCES)] for k in range(3))
    return f"{a} {b}\n\n{c} (note {number + 1})"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask(user, title: str, tags: str, content: str):
    from biostar.forum.models import Post

    response = _client(user).post("/new/post/", {"post_type": str(Post.QUESTION), "title": title,
                                                 "tag_val": tags, "content": content})
    if response.status_code != 302:
        raise RuntimeError(f"Biostar refused the question {title!r}: {response.status_code} {response.content[-3000:]!r}")
    return Post.objects.filter(author=user, type=Post.QUESTION).latest("id")


def _answer(user, question, content: str):
    from biostar.forum.models import Post

    response = _client(user).post(f"/p/{question.uid}/", {"content": content})
    if response.status_code != 302:
        raise RuntimeError(f"Biostar refused an answer: {response.status_code} {response.content[-3000:]!r}")
    return Post.objects.filter(author=user, root=question, type=Post.ANSWER).latest("id")


def _comment(user, parent, content: str):
    from biostar.forum.models import Post

    response = _client(user).post("/ajax/comment/create/", {"parent": parent.uid, "content": content},
                                  HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    if response.status_code != 200 or response.json().get("status") != "success":
        raise RuntimeError(f"Biostar refused a comment: {response.status_code} {response.content[-3000:]!r}")
    return Post.objects.filter(author=user, parent=parent, type=Post.COMMENT).latest("id")


def _users() -> dict[str, object]:
    users = {}
    for username, name in USERS.items():
        user = User.objects.create_user(username=username, email=f"{username}@example.invalid",
                                        password=f"Pw-{username}-forumcrawl-2024", first_name=name)
        user.profile.name = name  # what Biostar shows as the author
        user.profile.save()
        users[username] = user
    return users


def _author(post) -> str:
    return post.author.profile.name


def _page_order(question) -> list:
    """The posts of a question's page in the order the page shows them: the question, then each
    answer (Biostar's default sort: votes, then date) followed by its comments, depth first."""
    from django.contrib.auth.models import AnonymousUser

    from biostar.forum import auth

    root, tree, answers, _thread = auth.post_tree(user=AnonymousUser(), root=question)
    order = [root]

    def walk(post):
        for child in tree.get(post.id, []):
            order.append(child)
            walk(child)

    walk(root)
    for answer in answers:
        order.append(answer)
        walk(answer)
    return order


def _truth_thread(question) -> dict:
    from biostar.forum.models import Post

    question = Post.objects.get(pk=question.pk)
    order = _page_order(question)
    seen = {p.pk for p in order}
    missing = Post.objects.filter(root=question).exclude(pk__in=seen)
    if missing.exists():
        raise RuntimeError(f"posts of {question.uid} not on its page: {list(missing.values_list('uid', flat=True))}")
    url = question.get_absolute_url()
    posts = []
    for p in order:
        parent = None if p.pk == question.pk else next(i for i, q in enumerate(order) if q.pk == p.parent_id)
        posts.append({"author": _author(p), "text": p.content, "published": p.creation_date.isoformat(),
                      "post_id": str(p.pk), "url": f"{url}#{p.uid}" if p.pk != question.pk else url,
                      "parent": parent, "type": p.get_type_display()})
    return {"thread_id": str(question.pk), "url": url, "title": question.title, "board": "Questions",
            "pages": [{"url": url, "posts": list(range(len(posts)))}], "posts": posts}


def seed() -> dict:
    from biostar.forum.models import Post

    User.objects.create_superuser("admin", "admin@example.invalid", "admin-forumcrawl-2024")
    users = _users()
    number = 0
    questions = []
    when = START
    for asker, title, tags, answers in QUESTIONS:
        question = _ask(users[asker], title, tags, _content(number))
        stamps = [(question, when)]
        number += 1
        for k, (answerer, commenters) in enumerate(answers):
            answer = _answer(users[answerer], question, _content(number))
            number += 1
            stamps.append((answer, when + timedelta(hours=3 * k + 1, minutes=7 * k + 3)))
            for j, commenter in enumerate(commenters):
                comment = _comment(users[commenter], answer, _content(number))
                number += 1
                stamps.append((comment, when + timedelta(hours=3 * k + 2, minutes=11 * j + 5)))
        with transaction.atomic():
            for post, stamp in stamps:
                Post.objects.filter(pk=post.pk).update(creation_date=stamp, lastedit_date=stamp)
            Post.objects.filter(pk=question.pk).update(lastedit_date=stamps[-1][1])
        questions.append(question)
        when += timedelta(days=23, hours=5, minutes=37)
    from importlib.metadata import version

    return {"engine": "biostar", "version": f"django {version('django')}",
            "threads": [_truth_thread(q) for q in questions]}


def edit_post(post_id: int, text: str) -> dict:
    """Edit an answer or comment through the in-place edit endpoint the page's script calls, as its author."""
    from biostar.forum.models import Post

    post = Post.objects.select_related("author").get(pk=post_id)
    response = _client(post.author).post(f"/ajax/edit/{post.uid}/", {"content": text, "title": post.title,
                                                                      "tag_val": post.tag_val,
                                                                      "type": str(post.type)},
                                         HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    post.refresh_from_db()
    if post.content != text:
        raise RuntimeError(f"Biostar refused the edit: {response.status_code} {response.content[-2000:]!r}")
    return {"post_id": str(post.pk), "author": _author(post), "text": text,
            "published": post.creation_date.isoformat(), "url": post.get_absolute_url()}


def add_reply(thread_id: int, author: str, text: str) -> dict:
    """Answer a question through its answer form."""
    from biostar.forum.models import Post

    question = Post.objects.get(pk=thread_id)
    answer = _answer(User.objects.get(username=author), question, text)
    return {"post_id": str(answer.pk), "author": _author(answer), "text": text,
            "published": answer.creation_date.isoformat(), "url": answer.get_absolute_url()}


if __name__ == "__main__":
    engine_cli.run(__doc__, seed, edit_post, add_reply)

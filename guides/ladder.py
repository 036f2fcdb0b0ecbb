"""The ladder: published guides arranged as the steps between levels, one ladder per track.

A guide belongs to the track of the level it starts from, so M3 → E1 is the top step of the
management ladder. Each ladder lists its levels by rank; under each level, the guides that lead
up from it, the latest version of each pair as the step and earlier published versions with it.
A level no guide leads up from ends the ladder or marks a gap in it. Plain data in and out: the
guides come with their levels loaded (`Guide.objects.published().with_levels()`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from guides.models import Guide, Level

TRACK_ORDER = list(Level.Track.values)


@dataclass
class Step:
    guide: Guide  # the latest version of its pair
    earlier: list[Guide] = field(default_factory=list)  # newest first


@dataclass
class Rung:
    level: Level
    steps: list[Step] = field(default_factory=list)  # the guides leading up from this level


@dataclass
class Ladder:
    track: str
    rungs: list[Rung]


def build_ladders(guides: Iterable[Guide]) -> list[Ladder]:
    # Levels by their code, which is unique: the arrangement needs no ids.
    by_pair: dict[tuple[str, str], list[Guide]] = {}
    for guide in guides:
        by_pair.setdefault((guide.from_level.code, guide.to_level.code), []).append(guide)

    by_track: dict[str, dict[str, Rung]] = {}
    for versions in by_pair.values():
        versions.sort(key=lambda guide: guide.version, reverse=True)
        latest = versions[0]
        rungs = by_track.setdefault(latest.from_level.track, {})
        for level in (latest.from_level, latest.to_level):
            rungs.setdefault(level.code, Rung(level))
        rungs[latest.from_level.code].steps.append(Step(latest, versions[1:]))

    ladders = []
    for track in sorted(by_track, key=TRACK_ORDER.index):
        rungs = sorted(
            by_track[track].values(), key=lambda rung: (rung.level.rank, rung.level.code)
        )
        for rung in rungs:
            rung.steps.sort(key=lambda step: (step.guide.to_level.rank, step.guide.to_level.code))
        ladders.append(Ladder(Level.Track(track).label, rungs))
    return ladders

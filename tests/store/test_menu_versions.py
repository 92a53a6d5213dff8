"""The menu's versions on each engine: each new version is made on top of the newest, once; a change made to a
version another change already followed is refused (MenuMoved), also when two land at the same moment."""
import threading

import pytest

from conftest import T0
from kebabalab.store.menu_versions import MenuMoved, MenuVersions


def test_versions_follow_one_another_and_a_stale_change_is_refused(db):
    versions = MenuVersions(db)
    assert (versions.newest_id(), versions.newest(), versions.last_file_hash()) == (None, None, None)
    first = versions.add('{"v": 1}', "loaded the menu file menu.json", "menu file", T0, on_top_of=None,
                         file_hash="abc")
    second = versions.add('{"v": 2}', "Water (500ml): $3.00 -> $3.20", "Owner", T0, on_top_of=first)
    with pytest.raises(MenuMoved):
        versions.add('{"v": 3}', "Baklava (each) hidden", "Ali", T0, on_top_of=first)
    newest = versions.newest()
    assert (newest.id, newest.menu, newest.changed_by, newest.parent_id) == (second, '{"v": 2}', "Owner", first)
    assert versions.last_file_hash() == "abc"
    assert [(row["id"], row["change"], row["changed_by"]) for row in versions.history()] == [
        (second, "Water (500ml): $3.00 -> $3.20", "Owner"), (first, "loaded the menu file menu.json", "menu file")]


def test_two_changes_to_one_version_at_once_save_one(db):
    versions = MenuVersions(db)
    first = versions.add("{}", "seed", "menu file", T0, on_top_of=None)
    barrier, outcomes = threading.Barrier(2), []

    def change(name):
        barrier.wait(5)
        try:
            outcomes.append(versions.add("{}", f"by {name}", name, T0, on_top_of=first))
        except MenuMoved:
            outcomes.append("moved")

    threads = [threading.Thread(target=change, args=(name,)) for name in ("Owner", "Maria")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    saved = [o for o in outcomes if o != "moved"]
    assert (len(saved), outcomes.count("moved"), versions.newest_id()) == (1, 1, saved[0])

from portal.statuses import status_is


class Thing:
    is_open = status_is("open")
    is_settled = status_is("paid", "void")

    def __init__(self, status: str) -> None:
        self.status = status


def test_an_instance_answers_whether_its_status_is_one_of_those_named():
    assert (Thing("open").is_open, Thing("open").is_settled) == (True, False)
    assert (Thing("void").is_open, Thing("void").is_settled) == (False, True)


def test_the_answer_follows_the_status_as_it_changes():
    thing = Thing("open")
    thing.status = "paid"
    assert (thing.is_open, thing.is_settled) == (False, True)

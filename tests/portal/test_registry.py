from portal.registry import PageSection, PageSections


def _section(key: str, order: int, context) -> PageSection:
    return PageSection(
        key=key, title=key.title(), template_name=f"{key}.html", order=order, context=context
    )


def test_a_page_shows_its_sections_in_order_each_with_its_context_for_the_subject():
    sections = PageSections()
    sections.register(_section("later", 20, lambda user: {"of": user}))
    sections.register(_section("first", 10, lambda user: {"hello": user}))

    shown = sections.shown("rosa")

    assert [(section.key, context) for section, context in shown] == [
        ("first", {"hello": "rosa"}),
        ("later", {"of": "rosa"}),
    ]


def test_a_section_with_nothing_to_show_is_left_out_and_a_key_registers_once():
    sections = PageSections()
    sections.register(_section("inspections", 10, lambda permit, user: None))
    sections.register(_section("fees", 20, lambda permit, user: {"total": 1}))
    sections.register(_section("fees", 20, lambda permit, user: {"total": 2}))

    assert [(section.key, context) for section, context in sections.shown("p", "u")] == [
        ("fees", {"total": 2})
    ]

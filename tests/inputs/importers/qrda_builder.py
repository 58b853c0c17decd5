"""Build small QRDA Category III documents for the importer tests, shaped like CMS's own samples.

Each population carries its direct Aggregate Count and, one level deeper, a supplemental data
element (sex) with an Aggregate Count of its own (999), which a reader must ignore.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PopulationSpec:
    code: str
    uuid: str
    counts: list[str]


@dataclass
class MeasureSpec:
    uuid: str
    title: str
    populations: list[PopulationSpec] = field(default_factory=list)


def _population(population: PopulationSpec) -> str:
    counts = "".join(
        f"""
        <entryRelationship typeCode="SUBJ" inversionInd="true">
          <observation classCode="OBS" moodCode="EVN">
            <templateId root="2.16.840.1.113883.10.20.27.3.3"/>
            <code code="MSRAGG" codeSystem="2.16.840.1.113883.5.4"/>
            <value xsi:type="INT" value="{count}"/>
          </observation>
        </entryRelationship>"""
        for count in population.counts
    )
    return f"""
      <component>
        <observation classCode="OBS" moodCode="EVN">
          <templateId root="2.16.840.1.113883.10.20.27.3.5" extension="2016-09-01"/>
          <templateId root="2.16.840.1.113883.10.20.27.3.16" extension="2019-05-01"/>
          <value xsi:type="CD" code="{population.code}" codeSystem="2.16.840.1.113883.5.4"/>{counts}
          <entryRelationship typeCode="COMP">
            <observation classCode="OBS" moodCode="EVN">
              <templateId root="2.16.840.1.113883.10.20.27.3.6" extension="2016-09-01"/>
              <value xsi:type="CD" code="M" codeSystem="2.16.840.1.113883.5.1"/>
              <entryRelationship typeCode="SUBJ" inversionInd="true">
                <observation classCode="OBS" moodCode="EVN">
                  <templateId root="2.16.840.1.113883.10.20.27.3.3"/>
                  <value xsi:type="INT" value="999"/>
                </observation>
              </entryRelationship>
            </observation>
          </entryRelationship>
          <reference typeCode="REFR">
            <externalObservation classCode="OBS" moodCode="EVN"><id root="{population.uuid}"/></externalObservation>
          </reference>
        </observation>
      </component>"""


def _measure(measure: MeasureSpec) -> str:
    populations = "".join(_population(population) for population in measure.populations)
    return f"""
    <entry>
      <organizer classCode="CLUSTER" moodCode="EVN">
        <templateId root="2.16.840.1.113883.10.20.27.3.1" extension="2016-09-01"/>
        <templateId root="2.16.840.1.113883.10.20.27.3.17" extension="2019-05-01"/>
        <reference typeCode="REFR">
          <externalDocument classCode="DOC" moodCode="EVN">
            <id root="2.16.840.1.113883.4.738" extension="{measure.uuid}"/>
            <text>{measure.title}</text>
          </externalDocument>
        </reference>{populations}
      </organizer>
    </entry>"""


def qrda3_document(measures: list[MeasureSpec], first: str = "20250101", last: str = "20251231", prologue: str = "") -> bytes:
    """A QRDA III document (bytes) with one measure section holding ``measures``."""
    body = "".join(_measure(measure) for measure in measures)
    return f"""<?xml version="1.0" encoding="utf-8"?>{prologue}
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <templateId root="2.16.840.1.113883.10.20.27.1.1" extension="2017-06-01"/>
  <templateId root="2.16.840.1.113883.10.20.27.1.2" extension="2024-12-01"/>
  <effectiveTime value="20170311061231"/>
  <informationRecipient><intendedRecipient><id root="2.16.840.1.113883.3.249.7" extension="MIPS_GROUP"/></intendedRecipient></informationRecipient>
  <component><structuredBody><component><section>
    <templateId root="2.16.840.1.113883.10.20.27.2.1" extension="2020-12-01"/>
    <templateId root="2.16.840.1.113883.10.20.27.2.3" extension="2022-05-01"/>{body}
    <entry typeCode="DRIV">
      <act classCode="ACT" moodCode="EVN">
        <templateId root="2.16.840.1.113883.10.20.17.3.8"/>
        <effectiveTime><low value="{first}"/><high value="{last}"/></effectiveTime>
      </act>
    </entry>
  </section></component></structuredBody></component>
</ClinicalDocument>
""".encode("utf-8")

// The XML reader behind Bulk API 1.0 bodies (wire/wire.h read_xml): jsforce's jobInfo, sObjects
// with xsi:nil, entities and CDATA, and the documents it refuses; and the writer of Bulk 1.0 XML
// query results (append_xml_element): values as Salesforce writes them, read back unchanged.
#include <gtest/gtest.h>

#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

TEST(BulkXmlTest, ReadsAJobInfoAsJsforceSendsIt) {
  auto doc = read_xml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<jobInfo  xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">\n"
      "  <operation>upsert</operation>\n  <object>Account</object>\n"
      "  <externalIdFieldName>Ext_Id__c</externalIdFieldName>\n  <contentType>CSV</contentType>\n</jobInfo>");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->name, "jobInfo");
  ASSERT_EQ(doc->children.size(), 4u);
  EXPECT_EQ(doc->child("operation")->text, "upsert");
  EXPECT_EQ(doc->child("externalIdFieldName")->text, "Ext_Id__c");
  EXPECT_EQ(doc->child("missing"), nullptr);
}

TEST(BulkXmlTest, RecordsKeepEntitiesCdataAndNil) {
  auto doc = read_xml(
      "<sObjects xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><sObject><Name>A &amp; B &lt;C&gt; &#233;</Name>"
      "<Description><![CDATA[<raw> & text]]></Description><Phone xsi:nil=\"true\"/><!-- note --></sObject></sObjects>");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const XmlElement& record = doc->children.at(0);
  EXPECT_EQ(record.child("Name")->text, "A & B <C> \xC3\xA9");
  EXPECT_EQ(record.child("Description")->text, "<raw> & text");
  EXPECT_TRUE(record.child("Phone")->nil);
  EXPECT_FALSE(record.child("Name")->nil);
}

TEST(BulkXmlTest, MalformedDocumentsAreRefusedWithWhere) {
  for (const char* bad : {"<a><b></a>", "<a>", "<a>&bogus;</a>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a/>", "<a/><b/>",
                          "<a x=1/>", ""}) {
    auto doc = read_xml(bad);
    ASSERT_FALSE(doc.ok()) << bad;
    EXPECT_EQ(doc.error().code, "InvalidXML");
    EXPECT_NE(doc.error().message.find("Malformed XML at byte"), std::string::npos);
  }
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<a>";
  EXPECT_FALSE(read_xml(deep).ok());
}

FieldDef field(const char* type) {
  FieldDef f;
  f.name = "F";
  f.type = type;
  return f;
}

std::string element(const char* type, const Value& value) {
  std::string out;
  append_xml_element(out, "F", field(type), value);
  return out;
}

TEST(BulkXmlTest, QueryResultValuesAreWrittenAsSalesforceWritesThem) {
  EXPECT_EQ(element("string", Value{}), "<F xsi:nil=\"true\"/>");
  EXPECT_EQ(element("string", std::string()), "<F xsi:nil=\"true\"/>");  // no empty strings, as in CSV
  EXPECT_EQ(element("boolean", true), "<F>true</F>");
  EXPECT_EQ(element("int", std::int64_t{42}), "<F>42</F>");
  EXPECT_EQ(element("currency", 1500.5), "<F>1500.5</F>");
  EXPECT_EQ(element("date", Date{17130}), "<F>2016-11-25</F>");
  EXPECT_EQ(element("datetime", DateTime{1477990800000}), "<F>2016-11-01T09:00:00.000Z</F>");
  EXPECT_EQ(element("picklist", std::string("Selection1;Selection2")), "<F>Selection1;Selection2</F>");
}

TEST(BulkXmlTest, WrittenTextReadsBackUnchangedAndStaysWellFormed) {
  const std::string text = "A & B <C> \"q\" 'a' \xC3\xA9\r\nline\ttab";
  auto doc = read_xml("<r>" + element("textarea", text) + "</r>");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->child("F")->text, text);
  // Control characters XML 1.0 cannot carry are dropped, so the document still parses.
  auto controls = read_xml("<r>" + element("string", std::string("a\x01" "b\x1F")) + "</r>");
  ASSERT_TRUE(controls.ok()) << controls.error().message;
  EXPECT_EQ(controls->child("F")->text, "ab");
}

}  // namespace
}  // namespace crmsync::emulator

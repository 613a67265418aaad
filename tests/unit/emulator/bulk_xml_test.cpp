// The XML reader behind Bulk API 1.0 bodies (wire/wire.h read_xml): jsforce's jobInfo, sObjects
// with xsi:nil, entities and CDATA, and the documents it refuses.
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

}  // namespace
}  // namespace crmsync::emulator

CREATE TABLE applications (
	application_id VARCHAR(36) NOT NULL, 
	kiosk_id VARCHAR(80) NOT NULL, 
	mode VARCHAR(20) NOT NULL, 
	entity_type VARCHAR(30) NOT NULL, 
	name_full VARCHAR(200) NOT NULL, 
	submitted_at DATETIME NOT NULL, 
	received_at DATETIME NOT NULL, 
	decision VARCHAR(20) NOT NULL, 
	reasons JSON NOT NULL, 
	uscc VARCHAR(18), 
	e_license TEXT, 
	body_sha256 VARCHAR(64) NOT NULL, 
	document JSON NOT NULL, 
	person_keys TEXT NOT NULL, 
	reviewer VARCHAR(80), 
	review_comment TEXT, 
	reviewed_at DATETIME, 
	PRIMARY KEY (application_id)
);
CREATE TABLE counters (
	name VARCHAR(40) NOT NULL, 
	value INTEGER NOT NULL, 
	PRIMARY KEY (name)
);
CREATE TABLE entities (
	id INTEGER NOT NULL, 
	uscc VARCHAR(18) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	region VARCHAR(60) NOT NULL, 
	trade_name VARCHAR(60) NOT NULL, 
	industry VARCHAR(60) NOT NULL, 
	trade_sound VARCHAR(200) NOT NULL, 
	legal_rep_id VARCHAR(32) NOT NULL, 
	address_code VARCHAR(40) NOT NULL, 
	source VARCHAR(20) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_entity_name UNIQUE (region, trade_name, industry), 
	UNIQUE (uscc)
);
CREATE TABLE items (
	id INTEGER NOT NULL, 
	application_id VARCHAR(36) NOT NULL, 
	service VARCHAR(30) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	params JSON NOT NULL, 
	detail TEXT NOT NULL, 
	reference VARCHAR(60) NOT NULL, 
	attempts INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	due_at DATETIME, 
	expected_done_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_item UNIQUE (application_id, service), 
	FOREIGN KEY(application_id) REFERENCES applications (application_id)
);
CREATE TABLE kiosks (
	kiosk_id VARCHAR(80) NOT NULL, 
	site VARCHAR(200) NOT NULL, 
	version VARCHAR(40) NOT NULL, 
	first_seen DATETIME NOT NULL, 
	last_seen DATETIME NOT NULL, 
	status JSON NOT NULL, 
	PRIMARY KEY (kiosk_id)
);
CREATE TABLE sms_codes (
	phone_key VARCHAR(64) NOT NULL, 
	code_hash VARCHAR(64) NOT NULL, 
	sent_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	tries INTEGER NOT NULL, 
	used INTEGER NOT NULL, 
	PRIMARY KEY (phone_key)
);
CREATE INDEX ix_applications_decision ON applications (decision);
CREATE INDEX ix_entities_address_code ON entities (address_code);
CREATE INDEX ix_entities_legal_rep_id ON entities (legal_rep_id);
CREATE INDEX ix_entity_sound ON entities (region, trade_sound, industry);
CREATE INDEX ix_entity_trade ON entities (region, trade_name);
CREATE INDEX ix_item_due ON items (status, due_at);
CREATE INDEX ix_items_application_id ON items (application_id);

<?php
// Test-bed settings for a fresh Phorum, made through Phorum's own PHP API (run with php-cli from the web root):
// registration without e-mail verification (nor DNS look-ups of its domain), and POSTS posts and topics a page in every forum.
// Usage: php phorum_settings.php POSTS
if (PHP_SAPI !== 'cli') { exit(1); }
define('PHORUM_ADMIN', 1);
define('phorum_page', 'forumcrawl_settings');
chdir(getcwd());
require_once './common.php';
phorum_ob_clean();
$per_page = (int) $argv[1];
phorum_db_update_settings(array('registration_control' => PHORUM_REGISTER_INSTANT_ACCESS, 'dns_lookup' => 0,
                                'title' => 'Phorum 测试论坛'));
foreach (phorum_db_get_forums() as $fid => $forum) {
    if ($forum['folder_flag']) continue;
    phorum_db_update_forum(array('forum_id' => $fid, 'read_length' => $per_page, 'list_length_flat' => $per_page,
                                 'list_length_threaded' => $per_page));
}
print "ok\n";

<?php
/*
 * forumcrawl test seeder for a freshly installed phpBB 3.3 (run with php-cli; the
 * site root is argv[1]). Reads a JSON spec (options, users, topics) on stdin and
 * writes it through phpBB's own code: $config->set for the board options,
 * user_add for the members, submit_post for topics and replies (as their author,
 * at their corpus time; BBCode parsed by generate_text_for_storage, so a reply's
 * [quote] is phpBB's own quote markup), signatures as the UCP stores them, and
 * edits by their authors through submit_post's edit mode. Prints the ground truth read back from
 * phpbb_posts / phpbb_topics / phpbb_users as JSON on stdout.
 */
define('IN_PHPBB', true);
$phpbb_root_path = './';
$phpEx = 'php';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SCRIPT_NAME'] = '/index.php';
chdir($argv[1]);
require $phpbb_root_path . 'common.php';
require $phpbb_root_path . 'includes/functions_user.php';
require $phpbb_root_path . 'includes/functions_posting.php';

$spec = json_decode(file_get_contents('php://stdin'), true);
foreach ($spec['options'] as $name => $value) {
    $config->set($name, $value);
}
$user->session_begin();
$auth->acl($user->data);
$user->setup();

$passwords = $phpbb_container->get('passwords.manager');
$registered = (int) $db->sql_fetchfield('group_id', false, $db->sql_query(
    "SELECT group_id FROM " . GROUPS_TABLE . " WHERE group_name = 'REGISTERED'"));

function fc_user_row($name) {
    global $db;
    $result = $db->sql_query('SELECT * FROM ' . USERS_TABLE . " WHERE username_clean = '" .
        $db->sql_escape(utf8_clean_string($name)) . "'");
    $row = $db->sql_fetchrow($result);
    $db->sql_freeresult($result);
    return $row;
}

foreach ($spec['users'] as $i => $name) {
    if (!fc_user_row($name)) {
        user_add(array('username' => $name, 'user_password' => $passwords->hash("fc-seed-pw-$i"),
                       'user_email' => "user$i@example.org", 'group_id' => $registered,
                       'user_type' => USER_NORMAL, 'user_regdate' => $spec['since']));
    }
}

// Signatures as the UCP's signature form stores them: parsed by generate_text_for_storage.
foreach ($spec['signatures'] as $name => $text) {
    $uid = $bitfield = $options = '';
    generate_text_for_storage($text, $uid, $bitfield, $options, true, true, true);
    $db->sql_query('UPDATE ' . USERS_TABLE . ' SET ' . $db->sql_build_array('UPDATE', array(
        'user_sig' => $text, 'user_sig_bbcode_uid' => $uid, 'user_sig_bbcode_bitfield' => $bitfield)) .
        ' WHERE user_id = ' . (int) fc_user_row($name)['user_id']);
}

function fc_as($name) {
    global $user, $auth;
    $user->data = array_merge($user->data, fc_user_row($name));
    $user->data['is_registered'] = true;
    $auth->acl($user->data);
}

function fc_post($mode, $forum_id, $topic_id, $title, $text, $time) {
    $uid = $bitfield = $options = '';
    generate_text_for_storage($text, $uid, $bitfield, $options, true, true, true);
    $poll = array();
    $data = array(
        'forum_id' => $forum_id, 'topic_id' => $topic_id, 'icon_id' => 0, 'topic_title' => $title,
        'enable_bbcode' => true, 'enable_smilies' => true, 'enable_urls' => true, 'enable_sig' => true,
        'message' => $text, 'message_md5' => md5($text), 'bbcode_bitfield' => $bitfield, 'bbcode_uid' => $uid,
        'post_edit_locked' => 0, 'notify_set' => false, 'notify' => false, 'post_time' => $time,
        'forum_name' => '', 'enable_indexing' => true, 'force_approved_state' => ITEM_APPROVED,
        'attachment_data' => array(), 'filename_data' => array(), 'poster_ip' => '127.0.0.1',
    );
    submit_post($mode, $title, '', POST_NORMAL, $poll, $data);
    return array((int) $data['topic_id'], (int) $data['post_id']);
}

$topic_posts = array();  // the corpus topics' post ids, in order
foreach ($spec['topics'] as $topic) {
    $first = $topic['posts'][0];
    fc_as($first['author']);
    list($topic_id, $post_id) = fc_post('post', $spec['forum_id'], 0, $topic['title'], $first['text'], $first['time']);
    $ids = array(array($post_id, $first));
    $topic_posts[] = array($post_id);
    foreach (array_slice($topic['posts'], 1) as $p) {
        $text = $p['text'];
        if (!empty($p['quote'])) {
            list($qid, $q) = $ids[count($ids) - 1];
            $quoted = fc_user_row($q['author']);
            $text = '[quote="' . $q['author'] . '" post_id=' . $qid . ' time=' . $q['time'] . ' user_id=' .
                $quoted['user_id'] . ']' . $q['text'] . "[/quote]\n" . $text;
        }
        fc_as($p['author']);
        list(, $post_id) = fc_post('reply', $spec['forum_id'], $topic_id, 'Re: ' . $topic['title'], $text, $p['time']);
        $ids[] = array($post_id, $p);
        $topic_posts[count($topic_posts) - 1][] = $post_id;
    }
}
// Edits by their authors, as posting.php's edit mode submits them: the post and topic rows
// as posting.php reads them, the new text, a reason (shown under the post with the edit time).
foreach ($spec['edits'] as $edit) {
    $post_id = $topic_posts[$edit['topic']][$edit['post']];
    $result = $db->sql_query('SELECT t.*, p.* FROM ' . POSTS_TABLE . ' p JOIN ' . TOPICS_TABLE .
        ' t ON t.topic_id = p.topic_id WHERE p.post_id = ' . (int) $post_id);
    $data = $db->sql_fetchrow($result);
    $db->sql_freeresult($result);
    $author = $db->sql_fetchrow($db->sql_query('SELECT username FROM ' . USERS_TABLE . ' WHERE user_id = ' .
        (int) $data['poster_id']));
    fc_as($author['username']);
    $text = $edit['text'];
    $uid = $bitfield = $options = '';
    generate_text_for_storage($text, $uid, $bitfield, $options, true, true, true);
    $poll = array();
    $data = array_merge($data, array(
        'enable_bbcode' => true, 'enable_smilies' => true, 'enable_urls' => true, 'enable_sig' => true,
        'message' => $text, 'message_md5' => md5($text), 'bbcode_bitfield' => $bitfield, 'bbcode_uid' => $uid,
        'post_edit_reason' => $edit['reason'], 'post_edit_user' => (int) $user->data['user_id'],
        'notify_set' => false, 'notify' => false, 'post_time' => $edit['time'], 'forum_name' => '',
        'enable_indexing' => true, 'attachment_data' => array(), 'filename_data' => array(),
        'topic_title' => $data['topic_title'],
    ));
    submit_post('edit', $data['post_subject'], '', $data['topic_type'], $poll, $data);
}
$cache->purge();

$out = array('topics' => array());
$result = $db->sql_query('SELECT t.topic_id, t.topic_title, t.forum_id, f.forum_name FROM ' . TOPICS_TABLE . ' t JOIN ' .
    FORUMS_TABLE . ' f ON f.forum_id = t.forum_id ORDER BY t.topic_id');
while ($t = $db->sql_fetchrow($result)) {
    $posts = $db->sql_query('SELECT p.post_id, p.post_time, p.post_text, p.bbcode_uid, u.username FROM ' . POSTS_TABLE .
        ' p JOIN ' . USERS_TABLE . ' u ON u.user_id = p.poster_id WHERE p.topic_id = ' . (int) $t['topic_id'] .
        ' AND p.post_visibility = ' . ITEM_APPROVED . ' ORDER BY p.post_time, p.post_id');
    $t['posts'] = array();
    while ($p = $db->sql_fetchrow($posts)) {
        $p['text'] = generate_text_for_edit($p['post_text'], $p['bbcode_uid'], 0)['text'];
        unset($p['post_text'], $p['bbcode_uid']);
        $t['posts'][] = $p;
    }
    $db->sql_freeresult($posts);
    $out['topics'][] = $t;
}
echo json_encode($out, JSON_UNESCAPED_UNICODE), "\n";
